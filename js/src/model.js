// The widget's synced state, mirroring the traits of vizwidget.widget.ExportWidget.
// tests/test_widget.py checks that every synced Python trait is listed here.

/**
 * @typedef {Object} Model
 * @property {string} name              base name of written files
 * @property {number} epoch             epoch shown (a real epoch number)
 * @property {number[]} epochs          available epochs, ascending (may be non-uniform)
 * @property {boolean} static           a single figure: no slider, no animation
 * @property {string} format            still format picked (png, svg, pdf, jpeg, webp, html, json)
 * @property {string} animation_format  animation format (gif, mp4, webm, webp, html)
 * @property {string[]} _formats        still formats offered
 * @property {string[]} _animation_formats animation formats offered
 * @property {number} width             export width in px
 * @property {number} height            export height in px
 * @property {number} scale             export scale factor
 * @property {number} fps               frames per second (play and animation)
 * @property {boolean} playing          play the epochs in the browser
 * @property {boolean} repeat           loop when playing reaches the last epoch
 * @property {string} theme             theme name, "" for the figure's own
 * @property {string[]} _themes         theme names offered
 * @property {string} output_dir        directory files are written to
 * @property {string} status            one line of status text
 * @property {boolean} busy             an export or animation is running
 * @property {number} progress          0..1 progress of the running job
 * @property {number[]} frames          [done, total] frames of the running animation, [] for none
 * @property {number} seconds_left      estimated seconds left of the animation (-1: unknown)
 * @property {string} last_file         absolute path of the last written file
 * @property {string} error             error message shown in the widget ("" for none)
 * @property {number} preview_height    preview height in px
 * @property {string} _image          PNG data URL of the figure shown (the kernel draws it), shown
 *   until plotly.js draws, without a kernel, and while the plot sleeps; "" for none
 * @property {number} browser_cache_size number of figures kept in the browser
 * @property {boolean} prefetch        fetch the neighbouring epochs after each visit
 * @property {number} lod_threshold   scatter traces with more points are down-sampled
 * @property {number} lod_points      points a down-sampled trace keeps
 * @property {string[]} _events         plot events Python listens to (click, hover, select)
 */

/** @typedef {import("@anywidget/types").AnyModel<Model>} WidgetModel */

export const STILL_IMAGE = ["png", "jpeg", "webp", "svg", "gif"];

/** Message types exchanged with Python (custom messages). */
export const MSG = {
  plotly: "plotly", // JS asks for plotly.js; Python answers with it as one binary buffer
  // JS asks for an epoch's figure ({epoch, prefetch?, reset?, full?}); Python answers with a
  // JSON skeleton in buffers[0] and `arrays`: [{id, dtype, shape, buffer?}] — a buffer index
  // for arrays sent now, none for arrays the browser holds (by content hash)
  figure: "figure",
  invalidate: "invalidate", // Python: cached figures are stale (theme, data changed)
  event: "event", // JS: a plot event (click, hover, select; `lod` names the drawn view)
  // JS: the user zoomed a down-sampled figure ({epoch, xrange, yrange}, null = autorange);
  // Python answers with a figure message flagged `view` holding that range's points
  view: "view",
  export: "export", // JS: the Export button
  animate: "animate", // JS: the Animate button
  cancel: "cancel", // JS: the Cancel button
  // JS: the kind of page a view was drawn in ({page: "jupyterlab" | "notebook7" | "other"}),
  // so Python can say what the page cannot do (Notebook 7 shows no sidebar)
  page: "page",
};

/** The kind of page the widget is drawn in, from the page's own markup. */
export function pageKind() {
  if (document.body?.dataset.notebook) return "notebook7"; // Notebook 7 marks its <body>
  return document.getElementById("jp-right-stack") ? "jupyterlab" : "other";
}

/**
 * Listen to model events (space-separated, e.g. "change:epoch change:epochs") until `signal`
 * aborts; then the listener is removed with `model.off`. Each event is registered on its
 * own: anywidget's documented model API takes one name per call (marimo's model ignores a
 * space-separated list, so the preview would never hear of a new epoch there).
 * @param {WidgetModel} model
 * @param {string} events
 * @param {(...args: any[]) => void} fn
 * @param {AbortSignal} signal
 */
export function observe(model, events, fn, signal) {
  for (const event of events.split(/\s+/).filter(Boolean)) {
    model.on(event, fn);
    signal.addEventListener("abort", () => model.off(event, fn), { once: true });
  }
}
