"""A plain page that runs the widget's ES module on recorded models, without a kernel.

Each model is a widget's synced state (``get_state()``) plus the figure messages the real
widget sends for each of its epochs, recorded in Python; the page's stand-in model answers
the front end's requests from them (or never, to act as a page without a kernel). plotly.js
and the bundle are served from the package, so nothing comes from the network.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from vizwidget.widget import _assets as assets

ORIGIN = "http://vizwidget.test"

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/widget.css">
<style>body{margin:0;font-family:sans-serif} .cell{width:900px;margin:12px}</style>
</head><body><div id="cells"></div><script type="module">
const decode = (b64) => { const s = atob(b64); const a = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return new DataView(a.buffer); };
class FakeModel {
  constructor(rec, kernel) {
    this.state = { ...rec.state }; this.replies = rec.replies; this.kernel = kernel;
    this.listeners = {}; this.sent = []; this.epochSets = 0;
  }
  get(k) { return this.state[k]; }
  set(k, v) {
    const old = this.state[k]; this.state[k] = v;
    if (k === "epoch") this.epochSets += 1;
    if (old !== v) this.emit("change:" + k);
  }
  save_changes() {}
  on(events, fn) {
    for (const e of events.split(/\\s+/)) (this.listeners[e] ??= new Set()).add(fn);
  }
  off(events, fn) { for (const e of events.split(/\\s+/)) this.listeners[e]?.delete(fn); }
  emit(e, ...args) { for (const fn of [...(this.listeners[e] || [])]) fn(...args); }
  send(msg) { this.sent.push(msg); if (this.kernel) setTimeout(() => this.answer(msg), 5); }
  async answer(msg) {
    if (msg.type === "plotly") {
      const buf = await (await fetch("/plotly.js")).arrayBuffer();
      this.emit("msg:custom", { type: "plotly" }, [new DataView(buf)]);
    } else if (msg.type === "figure") {
      const r = this.replies[String(msg.epoch)];
      if (r) this.emit("msg:custom", { ...r.content, prefetch: msg.prefetch },
                       r.buffers.map(decode));
    }
  }
}
window.mount = async (records, { kernel = true, views = 1 } = {}) => {
  const { default: factory } = await import("/widget.js");
  window.models = [];
  for (const rec of records) {
    const model = new FakeModel(rec, kernel);
    const widget = factory();
    await widget.initialize?.({ model });
    for (let v = 0; v < views; v++) {
      const el = document.createElement("div");
      el.className = "cell";
      document.getElementById("cells").append(el);
      widget.render({ model, el });
    }
    window.models.push(model);
  }
};
</script></body></html>"""


def record(widget: Any, epochs: list[int] | None = None) -> dict:
    """A widget's synced state and its figure message for ``epochs`` (default: all), in full."""
    sent: list[tuple[dict, list]] = []
    widget.send = lambda content, buffers=None: sent.append((content, buffers or []))
    replies = {}
    for epoch in epochs if epochs is not None else widget.epochs or [0]:
        sent.clear()
        widget._on_custom_msg(widget, {"type": "figure", "epoch": epoch, "full": True}, [])
        content, buffers = sent[-1]
        replies[str(epoch)] = {"content": content, "buffers": [
            base64.b64encode(bytes(b)).decode("ascii") for b in buffers]}
    state = {k: v for k, v in widget.get_state().items()
             if not k.startswith(("_esm", "_css", "_anywidget", "_model", "_view"))}
    return {"state": json.loads(json.dumps(state, default=str)), "replies": replies}


def open_page(browser, records: list[dict], *, kernel: bool = True, views: int = 1,
              viewport: tuple[int, int] = (1000, 800)):
    """A new page with the widgets mounted; returns (context, page, console messages)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(120_000)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    files = {"/": (PAGE.encode(), "text/html"),
             "/widget.js": (assets.ESM_PATH.read_bytes(), "text/javascript"),
             "/widget.css": (assets.CSS_PATH.read_bytes(), "text/css"),
             "/plotly.js": (assets.plotly_js(), "text/javascript")}

    def serve(route):
        path = "/" + route.request.url.removeprefix(ORIGIN).lstrip("/").split("?")[0]
        if path in files:
            body, kind = files[path]
            route.fulfill(status=200, body=body, content_type=kind)
        else:
            route.fulfill(status=404, body=b"")

    page.route("**/*", serve)
    page.goto(ORIGIN + "/")
    page.evaluate("([records, options]) => window.mount(records, options)",
                  [records, {"kernel": kernel, "views": views}])
    return context, page, console


def coloured_pixels(png: bytes, rgb: tuple[int, int, int], tol: int = 40) -> int:
    """Pixels of a screenshot within ``tol`` of colour ``rgb``."""
    import io

    import numpy as np
    from PIL import Image

    arr = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(arr - np.array(rgb)).max(axis=2) <= tol).sum())


def drawn_pixels(png: bytes) -> int:
    """Pixels of a screenshot that are neither white nor near-white (something drawn)."""
    import io

    import numpy as np
    from PIL import Image

    arr = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((arr.min(axis=2) < 200).sum())
