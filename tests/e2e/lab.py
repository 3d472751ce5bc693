"""A real JupyterLab for browser tests: free port, isolated settings, clean teardown."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import nbformat

from vizwidget.engine import require_browser

CHROMIUM = require_browser()  # the same Chromium the render engine uses
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running ``jupyter lab`` serving ``root``."""

    def __init__(self, root: Path, port: int, proc: subprocess.Popen, log: Path) -> None:
        self.root, self.port, self.proc, self.log = root, port, proc, log
        self.url = f"http://127.0.0.1:{port}"

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/workspaces/ws{uuid.uuid4().hex[:8]}/tree/{name}?reset"

    def write_notebook(self, name: str, cells: Sequence[str]) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
        path = self.root / name
        nbformat.write(nb, path)
        return path

    def api(self, path: str, method: str = "GET") -> object:
        req = urllib.request.Request(f"{self.url}{path}", method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None


def wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/lab", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"jupyter lab not ready after {timeout}s:\n{log.read_text()[-3000:]}")


@contextmanager
def jupyter_lab(root: Path, *, settings: dict[str, dict] | None = None,
                timeout: float = 120) -> Iterator[Lab]:
    """Start JupyterLab on 127.0.0.1 (no token), yield it, then stop it and its kernels.

    ``settings`` maps a plugin id (``"@jupyter-widgets/jupyterlab-manager:plugin"``) to user
    settings written into an isolated settings directory.
    """
    root.mkdir(parents=True, exist_ok=True)
    private = root.parent / f".{root.name}-jupyter"
    for sub in ("settings", "workspaces", "runtime", "ipython"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    for plugin_id, values in (settings or {}).items():
        package, plugin = plugin_id.rsplit(":", 1)
        target = private / "settings" / package / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = {**os.environ,
           "JUPYTERLAB_SETTINGS_DIR": str(private / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(private / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(private / "runtime"),
           "IPYTHONDIR": str(private / "ipython"),
           "PYTHONUNBUFFERED": "1"}
    port = free_port()
    log = private / "lab.log"
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.disable_check_xsrf=True", "--allow-root",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, log, timeout)
        yield Lab(root, port, proc, log)
    finally:
        stop_server(proc, port)


def stop_server(proc: subprocess.Popen, port: int) -> None:
    """Shut kernels down through the Jupyter API (servers without it: skipped), then the
    server; kill the process group if stuck."""
    if proc.poll() is None:
        try:
            for kernel in json.loads(urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/kernels", timeout=5).read()):
                urllib.request.urlopen(urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/kernels/{kernel['id']}", method="DELETE"),
                    timeout=10)
        except (OSError, ValueError, TypeError, KeyError):  # no Jupyter kernels API here
            pass
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything left in the server's own group
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(10)


# ---- Playwright helpers ----

def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def open_notebook(page, lab: Lab, name: str, timeout: float = 120_000) -> None:
    """Open a notebook in a fresh workspace and wait until its kernel is idle."""
    page.goto(lab.notebook_url(name), timeout=timeout)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while not any(s["path"] == name and s["kernel"]["execution_state"] == "idle"
                  for s in lab.api("/api/sessions")):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no idle kernel for {name}")
        time.sleep(0.3)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=timeout)


def run_cell(page, index: int, timeout: float = 120_000) -> None:
    """Run the ``index``-th cell (0-based) and wait until it has finished."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputArea-prompt")
    before = prompt.inner_text()
    for _attempt in range(3):  # a key press can be lost while the page is still settling
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Escape")
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function("([el, before]) => el.textContent !== before",
                                   arg=[prompt.element_handle(), before], timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - retried, then reported below
            continue
    page.wait_for_function("el => /\\[\\d+\\]/.test(el.textContent)",
                           arg=prompt.element_handle(), timeout=timeout)


def cell_text(page, index: int) -> str:
    """Text of a cell's output area."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(
        ".jp-OutputArea").inner_text()


def printed_state(page, index: int = 1, until=None, tries: int = 20) -> dict:
    """Run cell ``index``, which prints ``STATE{json}``, and return that JSON.

    With ``until``, run it again (every 250 ms, ``tries`` times at most) until
    ``until(state)`` holds: widget updates reach the kernel on their own schedule (ipywidgets
    holds them back while the kernel is busy), so a cell may run before them. The last state
    is returned either way, for the caller to assert on.
    """
    for attempt in range(tries if until else 1):
        if attempt:
            page.wait_for_timeout(250)
        run_cell(page, index)
        text = cell_text(page, index)
        state = json.loads(text[text.index("STATE") + 5:].strip())
        if until is None or until(state):
            break
    return state


def click_and_collect(page, point) -> list:
    """Click the centre of ``point`` and wait (up to 5 s) for the clicks cell 1 prints."""
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return printed_state(page, until=lambda state: state["clicks"])["clicks"]
