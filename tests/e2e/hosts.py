"""Real Notebook 7, marimo and Voila servers for browser tests: free port, clean teardown."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from e2e.lab import free_port, stop_server

BIN = Path(sys.executable).parent


@dataclass
class Server:
    """A running host server serving ``root`` at ``url``."""

    root: Path
    url: str
    proc: subprocess.Popen
    log: Path


def write_notebook(path: Path, cells: Sequence[str]) -> Path:
    """A notebook with ``python3`` kernelspec metadata (no kernel picker shows up)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, path)
    return path


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except urllib.error.HTTPError:  # any answer will do: the probe path runs nothing
            return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"server not ready at {url} after {timeout}s:\n{log.read_text()[-3000:]}")


@contextmanager
def _serve(root: Path, cmd: list[str], ready_path: str, port: int,
           timeout: float) -> Iterator[Server]:
    private = root.parent / f".{root.name}-host"
    for sub in ("runtime", "ipython", "config", "home"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    env = {**os.environ,
           "JUPYTER_RUNTIME_DIR": str(private / "runtime"),
           "JUPYTER_CONFIG_DIR": str(private / "config"),
           "IPYTHONDIR": str(private / "ipython"),
           "XDG_CONFIG_HOME": str(private / "config"),  # marimo's user config
           "MARIMO_SKIP_UPDATE_CHECK": "1",
           "PYTHONUNBUFFERED": "1"}
    log = private / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        _wait_ready(url + ready_path, proc, log, timeout)
        yield Server(root, url, proc, log)
    finally:
        stop_server(proc, port)


def notebook7(root: Path, timeout: float = 120) -> Iterator[Server]:
    """``jupyter notebook`` (Notebook 7) on 127.0.0.1, no token; open ``/notebooks/<name>``."""
    port = free_port()
    cmd = [sys.executable, "-m", "jupyter", "notebook", "--no-browser", f"--port={port}",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.disable_check_xsrf=True", "--allow-root",
           f"--ServerApp.root_dir={root}", "--JupyterNotebookApp.news_url=None"]
    return _serve(root, cmd, "/tree", port, timeout)


def marimo(root: Path, app: str, mode: str, timeout: float = 120) -> Iterator[Server]:
    """``marimo edit`` or ``marimo run`` of ``root/app``, headless, no token."""
    port = free_port()
    exe = shutil.which("marimo", path=str(BIN)) or "marimo"
    cmd = [exe, mode, app, "--headless", f"--port={port}", "--host=127.0.0.1", "--no-token"]
    if mode == "edit":
        cmd.append("--skip-update-check")
        # the editor runs the notebook on opening only when told so (its default is off)
        config = root.parent / f".{root.name}-host" / "config" / "marimo" / "marimo.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("[runtime]\nauto_instantiate = true\n")
    return _serve(root, cmd, "/", port, timeout)


def voila(root: Path, notebook: str, timeout: float = 120) -> Iterator[Server]:
    """``voila root/notebook`` served as an app on 127.0.0.1."""
    port = free_port()
    exe = shutil.which("voila", path=str(BIN)) or "voila"
    cmd = [exe, notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--show_tracebacks=True"]
    return _serve(root, cmd, "/voila/static/ready-probe", port, timeout)
