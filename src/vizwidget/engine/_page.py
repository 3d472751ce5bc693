"""A kaleido browser whose tab stays loaded between figures.

kaleido reloads its tab after every figure (~0.2 s). ``Plotly.toImage`` already purges
the temporary plot it draws, so the reload only buys a clean page at a large cost.
``WarmKaleido`` keeps the tab and instead sweeps away anything a failed render left
behind (one devtools call, about a millisecond), which keeps WebGL contexts and memory flat.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from choreographer.channels import Pipe
from kaleido import PageGenerator
from kaleido.kaleido import Kaleido

from ._transport import RENDER_BINARY_JS, Packed

#: Purges and removes plot divs left by a failed render; returns how many were left.
_SWEEP_JS = """function() {
  const left = document.querySelectorAll('.js-plotly-plot');
  for (const gd of left) { try { Plotly.purge(gd); } catch (e) {} gd.remove(); }
  const img = document.getElementById('kaleido-image');
  if (img) img.removeAttribute('src');
  return left.length;
}"""

#: Page health for diagnostics and tests.
_STATS_JS = """function() {
  const mem = performance.memory || {};
  window.__vizwidgetPageId = window.__vizwidgetPageId || Math.random().toString(36).slice(2);
  return JSON.stringify({
    page_id: window.__vizwidgetPageId,
    plots: document.querySelectorAll('.js-plotly-plot').length,
    nodes: document.getElementsByTagName('*').length,
    js_heap: mem.usedJSHeapSize || 0,
    plotly_version: window.Plotly ? Plotly.version : null,
    to_image: window.Plotly ? Plotly.toImage.name : null,
  });
}"""

#: Wraps Plotly.toImage once so each call's duration (ms, draw and encode) is recorded;
#: returns and clears the durations recorded so far.
_TIMINGS_JS = """function() {
  if (!window.__vizwidgetToImage) {
    const original = Plotly.toImage;
    window.__vizwidgetToImage = original;
    window.__vizwidgetTimings = [];
    Plotly.toImage = function() {
      const start = performance.now();
      return original.apply(this, arguments).then((result) => {
        window.__vizwidgetTimings.push(performance.now() - start);
        return result;
      });
    };
  }
  const out = window.__vizwidgetTimings;
  window.__vizwidgetTimings = [];
  return JSON.stringify(out);
}"""


#: Replaces ``Plotly.toImage`` in the page for 3-D scenes (see the file).
TO_IMAGE_JS = Path(__file__).with_name("to_image.js")


def page_generator(mathjax: bool | str) -> PageGenerator:
    """kaleido's page (plotly.js from the installed plotly package) plus :data:`TO_IMAGE_JS`."""
    return PageGenerator(mathjax=mathjax or False, others=[(TO_IMAGE_JS.as_uri(), "utf-8")])


class _SignallingPipe(Pipe):
    """choreographer's pipe, calling the oldest waiting hook once a render request is written.

    The browser needs no more Python once it has a figure, so that is when the caller may
    start preparing the next one: earlier, its Python would hold the GIL the send needs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sent_hooks: deque[Callable[[], None]] = deque()

    def write_json(self, obj: Any) -> tuple[float, float]:
        times = super().write_json(obj)
        if "kaleido_scopes.plotly" in ((obj.get("params") or {}).get("functionDeclaration") or ""):
            try:
                hook = self.sent_hooks.popleft()
            except IndexError:  # nobody waits for this one
                return times
            hook()
        return times


class WarmKaleido(Kaleido):
    """kaleido.Kaleido with one tab that is reused, never reloaded, between figures.

    :attr:`crashed` is set when the tab's renderer process dies (Chromium's
    ``Inspector.targetCrashed`` event), so the engine can restart at once instead of waiting
    for its timeout. Hooks appended to :attr:`sent_hooks` are called, oldest first, as render
    requests reach the browser.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, channel_cls=_SignallingPipe, **kwargs)
        self.crashed = threading.Event()
        self.sent_hooks: deque[Callable[[], None]] = self._channel.sent_hooks

    async def _conform_tabs(self, tabs: Any = None) -> None:
        for tab in (tabs or list(self.tabs.values())):
            tab.subscribe("Inspector.targetCrashed", self._on_crash)
            await tab.send_command("Inspector.enable")
        await super()._conform_tabs(tabs)

    async def _on_crash(self, _event: Any) -> None:
        self.crashed.set()

    async def _return_kaleido_tab(self, tab: Any) -> None:
        await self._call(tab, _SWEEP_JS)
        tab.js_logger.reset()  # the console log would otherwise grow per figure
        await self.tabs_ready.put(tab)

    async def _call(self, tab: Any, fn: str) -> Any:
        from kaleido._kaleido_tab._devtools_utils import exec_js_fn

        response = await exec_js_fn(tab.tab, tab._current_js_id, fn)
        return response.get("result", {}).get("result", {}).get("value")

    def _blob_dir(self) -> str:
        """A directory the browser may read: the one holding the page itself."""
        tmp = getattr(self, "_html_tmp_dir", None)
        return str(tmp.path) if tmp is not None else tempfile.gettempdir()

    async def calc_fig_binary(self, packed: Packed, opts: dict[str, Any]) -> bytes:
        """Render a packed figure (png, jpeg, webp or svg); its arrays travel as one file."""
        fd, path = tempfile.mkstemp(suffix=".bin", prefix="figure-", dir=self._blob_dir())
        try:
            with os.fdopen(fd, "wb") as fh:
                chunks = zip(packed.manifest, packed.chunks, strict=True)
                for (_p, _d, offset, _n, _r), arr in chunks:
                    fh.seek(offset)
                    fh.write(memoryview(arr).cast("B"))
                fh.truncate(packed.nbytes)
            spec = {**opts, "data": packed.skeleton}
            url = "file://" + path
            tab = await self._get_kaleido_tab()
            try:
                result = await tab.tab.send_command("Runtime.callFunctionOn", params={
                    "functionDeclaration": RENDER_BINARY_JS,
                    "arguments": [{"value": spec}, {"value": packed.manifest},
                                  {"value": url}, {"value": None}],
                    "returnByValue": False, "userGesture": True, "awaitPromise": True,
                    "executionContextId": tab._current_js_id,
                })
            finally:
                await self._return_kaleido_tab(tab)
        finally:
            os.unlink(path)
        return _image_bytes(result, opts["format"])

    async def add_pages(self, n: int) -> None:
        """Open ``n`` more warm tabs (each loads the page, and so plotly.js, once)."""
        await asyncio.gather(*(self._create_kaleido_tab() for _ in range(n)))

    async def page_timings(self, pages: int = 1) -> list[float]:
        """The in-page timings of every one of the ``pages`` warm tabs (each read once)."""
        tabs = [await self._get_kaleido_tab() for _ in range(pages)]
        try:
            return [ms for tab in tabs for ms in json.loads(await self._call(tab, _TIMINGS_JS))]
        finally:
            for tab in tabs:
                await self.tabs_ready.put(tab)

    async def page_stats(self) -> dict[str, Any]:
        tab = await self._get_kaleido_tab()
        try:
            return json.loads(await self._call(tab, _STATS_JS))
        finally:
            await self.tabs_ready.put(tab)


class PageRenderError(RuntimeError):
    """plotly.js (or the page script) reported an error for a figure."""


def _image_bytes(result: dict, format: str) -> bytes:
    """The image in a ``Runtime.callFunctionOn`` answer of kaleido's render script."""
    if "error" in result:
        raise PageRenderError(str(result["error"].get("message", result["error"])))
    inner = result.get("result", {})
    if "exceptionDetails" in inner or inner.get("result", {}).get("subtype") == "error":
        details = inner.get("exceptionDetails", {})
        text = details.get("exception", {}).get("description") or details.get("text")
        raise PageRenderError(text or str(inner.get("result")))
    response = json.loads(inner.get("result", {}).get("value") or "null") or {}
    if response.get("code", 0) != 0 or response.get("result") is None:
        raise PageRenderError(f"Error {response.get('code')}: {response.get('message')}")
    if format == "svg":
        return response["result"].encode("utf-8")
    return base64.b64decode(response["result"])
