"""The warm render engine, exercised with the real Chromium."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image
from plotly.offline import get_plotlyjs_version

from vizwidget import engine
from vizwidget.engine import RenderEngine
from vizwidget.errors import BrowserNotFoundError, RenderTimeoutError


def _fig(i: int = 0) -> dict:
    return go.Figure(go.Scatter(y=[1, 3 + i, 2]), layout={"title": {"text": f"fig {i}"}}).to_dict()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("values", [3, 120_000])  # the JSON and the binary transport
def test_on_sent_fires_once_per_render_before_it_returns(values):
    fig = go.Figure(go.Scatter(y=np.arange(values, dtype=float))).to_dict()
    sent = []
    data = engine.render(fig, width=120, height=90, on_sent=lambda: sent.append(time.monotonic()))
    returned = time.monotonic()
    assert data.startswith(b"\x89PNG") and len(sent) == 1 and sent[0] <= returned
    engine.render(_fig(), width=120, height=90)  # a later render does not call it again
    assert len(sent) == 1 and not engine.get_engine()._kaleido.sent_hooks


def test_page_is_reused_across_figures():
    eng = engine.get_engine()
    engine.render(_fig(0))
    pid, starts, page = eng.pid, eng.starts, eng.page_stats()["page_id"]
    for i in range(5):
        engine.render(_fig(i), width=300, height=200)
    assert eng.pid == pid and eng.starts == starts
    stats = eng.page_stats()
    assert stats["page_id"] == page  # same page: never reloaded between figures
    assert stats["plots"] == 0 and stats["plotly_version"].startswith(get_plotlyjs_version()[:1])


def test_plotlyjs_is_the_installed_one_and_no_cdn():
    stats = engine.get_engine().page_stats()
    assert stats["plotly_version"] == get_plotlyjs_version()


def test_scene_figures_take_the_page_s_own_to_image():
    """3-D scenes skip plotly.js's fixed wait (pixels: test_mocks compares with plotly's)."""
    fig = go.Figure(go.Scatter3d(x=[0, 1, 2], y=[1, 0, 2], z=[2, 1, 0])).to_dict()
    assert engine.get_engine().page_stats()["to_image"] == "vizwidgetToImage"
    svg = engine.render(fig, "svg", 300, 200).decode()
    assert svg.count("<image") == 1 and "data:image/png;base64," in svg
    assert engine.get_engine().page_stats()["plots"] == 0  # the scene's plot was purged


def test_concurrent_threads_get_their_own_figures():
    sizes = [(200 + 10 * i, 100 + 5 * i) for i in range(8)]
    results: dict[int, tuple[int, int]] = {}

    def work(i: int) -> None:
        data = engine.render(_fig(i), "png", *sizes[i], 1)
        results[i] = Image.open(io.BytesIO(data)).size

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == dict(enumerate(sizes))


def test_timeout_raises_then_engine_recovers():
    big = go.Figure(go.Scatter(y=np.random.default_rng(0).random(200_000))).to_dict()
    with pytest.raises(RenderTimeoutError, match="timeout"):
        engine.render(big, timeout=0.01)
    assert Image.open(io.BytesIO(engine.render(_fig(), width=120, height=90))).size == (120, 90)


def test_restarts_when_the_browser_died():
    eng = engine.get_engine()
    engine.render(_fig())
    old = eng.pid
    for pid in _descendants(old) | {old}:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.time() + 10
    while _alive(old) and time.time() < deadline:
        time.sleep(0.1)
    data = engine.render(_fig(1), width=150, height=100)
    assert Image.open(io.BytesIO(data)).size == (150, 100)
    assert eng.pid != old


def _renderers(pid: int) -> list[int]:
    found = []
    for child in _descendants(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"--type=renderer" in f.read():
                    found.append(child)
        except OSError:
            continue
    return found


def test_a_crashed_tab_is_detected_at_once(capfd):
    """Only the page's renderer process dies: the next export restarts without the timeout."""
    eng = engine.get_engine()
    engine.render(_fig())
    renderers = _renderers(eng.pid)
    assert renderers
    capfd.readouterr()
    for pid in renderers:
        os.kill(pid, signal.SIGKILL)
    t0 = time.perf_counter()
    data = engine.render(_fig(2), width=160, height=120)
    elapsed = time.perf_counter() - t0
    assert Image.open(io.BytesIO(data)).size == (160, 120)
    assert elapsed < 5, elapsed
    assert eng.timeout >= 60  # it did not wait for the timeout
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # no asyncio or watchdog noise for the user


def test_the_timeout_grows_with_the_figure():
    from vizwidget.engine._engine import POINTS_PER_SECOND, figure_points

    big = go.Figure(go.Scattergl(x=np.arange(300_000.0), y=np.arange(300_000.0))).to_dict()
    assert figure_points(big) == 600_000
    assert figure_points({"data": [{"y": [1, 2, 3], "text": ["a", "b", "c"]}]}) == 6
    eng = engine.get_engine()
    default = eng.timeout
    eng.timeout = 0.05 - 600_000 / POINTS_PER_SECOND  # the figure's share brings it to 0.05 s
    try:
        with pytest.raises(RenderTimeoutError, match=r"600,000 data values took longer than "
                                                     r"0\.05 s.*\n.*raise the timeout"):
            engine.render(big)
    finally:
        eng.timeout = default


def test_shutdown_leaves_no_browser_and_next_render_restarts():
    eng = engine.get_engine()
    engine.render(_fig())
    pid = eng.pid
    procs = _descendants(pid) | {pid}
    engine.shutdown()
    deadline = time.time() + 15
    while any(_alive(p) for p in procs) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in procs)
    assert not eng.is_running
    engine.render(_fig())
    assert eng.is_running


def test_no_browser_left_after_interpreter_exit():
    code = textwrap.dedent("""
        import os, plotly.graph_objects as go
        from vizwidget import engine
        engine.render(go.Figure(go.Bar(y=[1])).to_dict())
        pid = engine.get_engine().pid
        kids = set()
        for e in os.listdir('/proc'):
            if e.isdigit():
                try:
                    ppid = int(open(f'/proc/{e}/stat').read().rsplit(')', 1)[1].split()[1])
                except Exception:
                    continue
                if ppid == pid:
                    kids.add(int(e))
        print(' '.join(map(str, {pid} | kids)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) >= 2  # the launcher and chromium
    deadline = time.time() + 15
    while any(_alive(p) for p in pids) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids)
    assert out.stderr.strip() == ""


def test_two_hundred_webgl_figures_do_not_pile_up():
    eng = engine.get_engine()
    fig = go.Figure(go.Scattergl(y=np.arange(50.0), mode="markers"))
    engine.render(fig.to_dict(), width=160, height=120)
    first = eng.page_stats()
    for i in range(200):
        fig.data[0].y = np.arange(50.0) * (i + 1)
        data = engine.render(fig.to_dict(), width=160, height=120)
        assert data[:4] == b"\x89PNG"
    stats = eng.page_stats()
    assert stats["plots"] == 0
    assert stats["nodes"] == first["nodes"]
    assert stats["js_heap"] < first["js_heap"] + 64 * 2**20


def test_works_inside_a_running_event_loop():
    async def in_loop() -> bytes:
        return engine.render(_fig(), width=100, height=80)

    data = asyncio.run(in_loop())
    assert Image.open(io.BytesIO(data)).size == (100, 80)


def test_no_output_or_warning_per_call(capfd):
    engine.render(_fig())
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(3):
            engine.render(_fig(i))
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert caught == []


def test_missing_browser_says_how_to_install(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    with pytest.raises(BrowserNotFoundError) as info:
        RenderEngine().render(_fig())
    message = str(info.value)
    assert "/nonexistent/chrome" in message and "apt-get install chromium" in message


def test_page_timings_measure_plotly_inside_the_page():
    eng = engine.get_engine()
    eng.page_timings()  # starts measuring
    start = time.perf_counter()
    for i in range(3):
        engine.render(_fig(i), width=200, height=150)
    elapsed = time.perf_counter() - start
    timings = eng.page_timings()
    assert len(timings) == 3 and all(t > 0 for t in timings)
    assert sum(timings) < elapsed  # the in-page floor is part of the end-to-end time
    assert eng.page_timings() == []  # read once, then cleared


def test_ensure_pages_renders_on_several_warm_pages_at_once():
    eng = RenderEngine()
    try:
        eng.ensure_pages(2)
        assert eng.pages == 2
        ids = {eng.page_stats()["page_id"] for _ in range(4)}  # the pages take turns
        assert len(ids) == 2
        sizes = []

        def render(i: int) -> None:
            png = eng.render(_fig(i), width=120 + i, height=90)
            sizes.append(Image.open(io.BytesIO(png)).size)

        threads = [threading.Thread(target=render, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(sizes) == [(120 + i, 90) for i in range(4)]
        eng.close()
        eng.render(_fig())  # a restarted browser opens both pages again
        assert len({eng.page_stats()["page_id"] for _ in range(4)}) == 2
    finally:
        eng.close()


def test_a_thread_renders_on_the_engine_bound_to_it():
    from vizwidget import engine

    mine = engine.RenderEngine()
    seen = {}

    def worker():
        engine.bind(mine)
        seen["worker"] = engine.get_engine()
        engine.bind(None)
        seen["after"] = engine.get_engine()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen["worker"] is mine and seen["after"] is engine.get_engine() is not mine
    pool = engine.engines(3)
    assert pool[0] is engine.get_engine() and len({id(e) for e in pool}) == 3
    assert engine.engines(2) == pool[:2]  # kept: the next batch finds them warm
