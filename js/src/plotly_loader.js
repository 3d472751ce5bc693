// plotly.js comes from the Python package (plotly/package_data/plotly.min.js), never a CDN.
// The first widget on a page asks its kernel for it once, as one binary message; the promise
// is kept on globalThis so every other widget on the page (and every later view) reuses it.
import { MSG } from "./model.js";

const SLOT = "__vizwidget__";

/** @returns {{plotly?: Promise<any>, loads: number, resolvePlotly?: (P: any) => void}} */
function pageState() {
  globalThis[SLOT] ??= { plotly: undefined, loads: 0 };
  return globalThis[SLOT];
}

/**
 * Evaluate plotly.min.js from bytes without a network fetch.
 * The UMD bundle sees a `module` object, so it hands Plotly back instead of relying on
 * globals; a Plotly already on the page (another extension's) is restored afterwards.
 */
function evaluate(bytes) {
  const state = pageState();
  const prefix =
    `(function(){var __prev=window.Plotly;var module={exports:{}};` +
    `(function(module,exports,define){\n`;
  const suffix =
    `\n}).call(window,module,module.exports,undefined);` +
    `if(__prev!==undefined){window.Plotly=__prev;}` +
    `window.${SLOT}.resolvePlotly(module.exports);})();`;
  const url = URL.createObjectURL(new Blob([prefix, bytes, suffix], { type: "text/javascript" }));
  return new Promise((resolve, reject) => {
    state.resolvePlotly = (Plotly) => {
      state.loads += 1;
      resolve(Plotly);
    };
    const script = document.createElement("script");
    script.src = url;
    script.dataset.vizwidgetPlotly = "1";
    script.onerror = () => reject(new Error("plotly.js failed to load"));
    script.onload = () => URL.revokeObjectURL(url);
    document.head.appendChild(script);
  });
}

/**
 * Plotly for this page, loaded once.
 * @param {any} model an anywidget model whose kernel can send plotly.js
 * @param {number} timeoutMs give up (and let a later widget retry) after this long
 * @returns {Promise<any>}
 */
export function loadPlotly(model, timeoutMs = 60000) {
  const state = pageState();
  if (state.plotly) return state.plotly;
  state.plotly = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      model.off("msg:custom", onMsg);
      reject(new Error("No answer from the kernel with plotly.js. Is the kernel running?"));
    }, timeoutMs);
    function onMsg(msg, buffers) {
      if (msg?.type !== MSG.plotly) return;
      model.off("msg:custom", onMsg);
      clearTimeout(timer);
      evaluate(buffers[0]).then(resolve, reject);
    }
    model.on("msg:custom", onMsg);
    model.send({ type: MSG.plotly });
  });
  state.plotly.catch(() => {
    state.plotly = undefined; // the next widget retries
  });
  return state.plotly;
}
