// The live preview: the stage (plot, still image, loading message, error banner) drawn with
// plotly.js. Figures come from the model's FigureStore: one fetch in flight per view, the
// latest wish wins; after each draw the neighbours (slider direction first) are prefetched.
// Until plotly.js has drawn, and whenever the plot sleeps to give its WebGL contexts back
// (gl_budget.js), the stage shows the kernel's still image of the figure.
import { epochList } from "./epochs.js";
import { keepDrawnObjects } from "./drawn_objects.js";
import { contextsFor, loseContexts, pageBudget } from "./gl_budget.js";
import { MSG, observe } from "./model.js";
import { loadPlotly } from "./plotly_loader.js";
import { forwardEvents } from "./plot_events.js";
import { Stage } from "./stage.js";
import { showTitles, takeTitles } from "./titles.js";

// WebGL canvases at the screen's pixel ratio: plotly.js draws them at 2 by default, four times
// the pixels of a standard screen, which with software GL is most of a plot's first draw.
const GL_PIXEL_RATIO = Math.min(2, Math.max(1, Math.round(globalThis.devicePixelRatio || 1)));
const PLOT_CONFIG = {
  responsive: true, displaylogo: false, displayModeBar: "hover", plotGlPixelRatio: GL_PIXEL_RATIO,
};
const AXIS = /^(xaxis|yaxis)\d*$/;
const SCENE = /^scene\d*$/;

/** A figure ready for the preview: fitted to its box, zoom kept across epochs, titles apart. */
export function forPreview(fig) {
  const layout = { ...(fig.layout || {}), autosize: true };
  delete layout.width;
  delete layout.height;
  layout.uirevision ??= "vizwidget";
  const titles = takeTitles(layout);
  return { data: (fig.data || []).map((t) => ({ ...t })), layout, titles };
}

/** What the user did to the drawn plot (zoom, camera, selection), to apply after a redraw. */
export function viewState(gd) {
  const layout = {};
  for (const [key, value] of Object.entries(gd.layout || {})) {
    if (AXIS.test(key) && value?.range && value.autorange === false) {
      layout[key] = { range: [...value.range], autorange: false };
    } else if (SCENE.test(key) && value?.camera) {
      layout[key] = { camera: value.camera };
    }
  }
  if (gd.layout?.selections?.length) layout.selections = gd.layout.selections;
  const selected = (gd.data || []).map((t) => t.selectedpoints);
  return { layout, selected };
}

/** `view` (from viewState) applied to a figure about to be drawn. */
export function withView(data, layout, view) {
  if (!view) return { data, layout };
  const merged = { ...layout };
  for (const [key, value] of Object.entries(view.layout)) {
    merged[key] = { ...(layout[key] || {}), ...value };
  }
  const traces = data.map((t, i) =>
    (view.selected[i] !== undefined ? { ...t, selectedpoints: view.selected[i] } : t));
  return { data: traces, layout: merged };
}

/** One view's preview; `goTo` asks for an epoch, `ready` resolves once plotly.js is loaded. */
export class Preview {
  /**
   * @param {import("./model.js").WidgetModel} model
   * @param {import("./figure_store.js").FigureStore} store
   * @param {{stage: HTMLElement, plot: any, message: HTMLElement, error: HTMLElement,
   *   still: HTMLImageElement, titles: HTMLElement}} ui
   * @param {AbortSignal} signal
   */
  constructor(model, store, ui, signal) {
    Object.assign(this, { model, store, ui, signal });
    this.stage = new Stage(ui);
    this.budget = pageBudget();
    this.Plotly = null;
    this.drawn = null; // epoch drawn in the plot
    this.titles = []; // its panel titles, shown as HTML labels (titles.js)
    this.wanted = null; // epoch asked for last
    this.fetching = false; // a fetch of this view is in flight
    this.direction = 1; // the way the user moves through the epochs, for prefetching
    this.failed = false; // the error shown came from a renderer: clear it on the next draw
    this.eventsBound = false;
    this.asleep = false; // WebGL contexts given back; the still image stands in
    this.weight = 0; // WebGL contexts the drawn figure holds
    this.inView = true;
    this.restore = null; // the user's zoom and selection to apply at the next draw
    this.zoom = null; // [xrange, yrange] of a zoomed down-sampled plot, null when whole
    this.ready = new Promise((resolve) => this.load(resolve));
    this.watch();
  }

  load(resolve) {
    loadPlotly(this.model).then((P) => {
      if (this.signal.aborted) return;
      this.Plotly = P;
      this.ui.plot.dataset.ready = "1";
      this.showCurrent();
      resolve();
    }, (err) => this.stage.message(err.message));
  }

  watch() {
    const { model, store, signal, ui } = this;
    observe(model, "change:epoch change:epochs change:static", () => this.showCurrent(), signal);
    observe(model, "change:error", () => this.stage.error(model.get("error")), signal);
    observe(model, "change:preview_height", () => this.syncHeight(), signal);
    observe(model, "change:_image", () => this.syncStill(), signal);
    store.onView((epoch, fig) => {
      if (epoch === this.drawn && this.Plotly && !signal.aborted) this.draw(epoch, fig, true);
    }, signal);
    store.onInvalidate(() => {
      this.drawn = null;
      this.showCurrent();
    }, signal);
    this.syncHeight();
    this.stage.error(model.get("error"));
    this.syncStill();
    const resize = new ResizeObserver(() => this.resize());
    resize.observe(ui.plot);
    const seen = typeof IntersectionObserver === "undefined" ? null
      : new IntersectionObserver((entries) => this.visible(entries.at(-1).isIntersecting),
        { rootMargin: "100px" });
    seen?.observe(ui.stage);
    ui.plot.addEventListener("pointerdown", () => this.budget.touch(this), { signal });
    signal.addEventListener("abort", () => {
      resize.disconnect();
      seen?.disconnect();
      this.budget.release(this);
      loseContexts(ui.plot);
      this.Plotly?.purge(ui.plot); // also removes the plot's event handlers
    }, { once: true });
  }

  syncHeight() {
    this.ui.stage.style.height = `${this.model.get("preview_height")}px`;
  }

  /** The kernel's image stands in until the plot is drawn, and while it sleeps. */
  syncStill() {
    const covered = this.drawn === null || this.asleep;
    this.stage.still(covered ? this.model.get("_image") : "");
  }

  resize() {
    const { Plotly, ui } = this;
    if (Plotly && this.drawn !== null && !this.asleep && ui.plot.offsetWidth > 0) {
      Plotly.Plots.resize(ui.plot).then(() => showTitles(ui.titles, ui.plot, this.titles),
        () => {});
    }
  }

  visible(inView) {
    this.inView = inView;
    if (inView && this.asleep) this.wake(); // out of view, it keeps its plot until needed
  }

  /** Give the plot's WebGL contexts back; the still image shows the figure meanwhile. */
  sleep() {
    if (this.asleep || this.drawn === null || !this.Plotly) return;
    this.budget.release(this);
    if (!this.weight) return; // no WebGL: nothing to give back
    this.restore = viewState(this.ui.plot);
    loseContexts(this.ui.plot);
    this.Plotly.purge(this.ui.plot);
    this.eventsBound = false;
    this.rest();
  }

  /** No plot: the still image stands in until `wake`. */
  rest() {
    this.asleep = true;
    this.drawn = null;
    delete this.ui.plot.dataset.epoch;
    this.ui.plot.dataset.asleep = "1";
    this.syncStill();
  }

  /** Draw again at the current epoch, zoom and selection. */
  wake() {
    this.asleep = false;
    delete this.ui.plot.dataset.asleep;
    this.showCurrent();
  }

  prefetchNeighbours(epoch) {
    const { model, store } = this;
    if (!model.get("prefetch") || model.get("playing")) return;
    const list = epochList(model);
    const i = list.indexOf(epoch);
    if (i < 0) return;
    for (const j of [i + this.direction, i - this.direction]) {
      if (j >= 0 && j < list.length && !store.has(list[j]) && !store.pending.has(list[j])) {
        store.fetch(list[j], { prefetch: true }).catch(() => {});
      }
    }
  }

  /** A zoom of a down-sampled figure: the whole-range sample on reset, else ask the kernel. */
  zoomed(xrange, yrange) {
    this.zoom = xrange === null && yrange === null ? null : [xrange, yrange];
    const cached = this.store.peek(this.drawn);
    if (xrange === null && yrange === null && cached) this.draw(this.drawn, cached);
    else this.model.send({ type: MSG.view, epoch: this.drawn, xrange, yrange });
  }

  /** Draw `fig` as `epoch`; `refined` for a zoomed view's points the kernel sent. */
  async draw(epoch, fig, refined = false) {
    const { ui, Plotly, signal } = this;
    const shaped = forPreview(fig);
    const restore = this.restore;
    const { data, layout } = withView(shaped.data, shaped.layout, restore);
    this.weight = contextsFor(data);
    if (!this.inView && !this.budget.roomOutOfView(this, this.weight)) {
      this.rest(); // the room is taken by plots in view: draw when this one comes into view
      return;
    }
    this.restore = null;
    this.budget.admit(this, this.weight);
    this.drawn = epoch;
    ui.plot.dataset.epoch = String(epoch);
    this.titles = shaped.titles;
    showTitles(ui.titles, ui.plot, this.titles); // the new text at once, placed as before
    await Plotly.react(ui.plot, keepDrawnObjects(ui.plot.data, data), layout, PLOT_CONFIG);
    if (signal.aborted) return;
    if (this.asleep) { // put to sleep while drawing: give the new contexts back too
      loseContexts(ui.plot);
      Plotly.purge(ui.plot);
      return;
    }
    if (this.drawn !== epoch) return; // another epoch is being drawn
    showTitles(ui.titles, ui.plot, this.titles); // placed by the plot area just drawn
    this.syncStill();
    // asked after the draw: on two cores a kernel rendering them would slow this draw down
    this.prefetchNeighbours(epoch);
    if (!this.eventsBound) {
      this.eventsBound = true;
      forwardEvents(ui.plot, this.model, () => this.drawn, (x, y) => this.zoomed(x, y));
    }
    if (!refined && this.zoom && layout.vizwidgetLod) {
      this.model.send({ type: MSG.view, epoch, xrange: this.zoom[0], yrange: this.zoom[1] });
    } // a zoomed, down-sampled plot stays refined at a new epoch and after sleeping
    this.stage.message("");
    this.clearFailure();
  }

  clearFailure() {
    if (!this.failed) return;
    this.failed = false;
    this.stage.error("");
    if (this.model.get("error")) {
      this.model.set("error", "");
      this.model.save_changes();
    }
  }

  /** Draw `epoch`: at once when cached, else fetch it (one request at a time, latest wins). */
  show(epoch) {
    const { store, ui, signal } = this;
    const list = epochList(this.model);
    const from = list.indexOf(this.wanted);
    const to = list.indexOf(epoch);
    if (from >= 0 && to >= 0 && from !== to) this.direction = to > from ? 1 : -1;
    this.wanted = epoch;
    if (!this.Plotly || signal.aborted || this.asleep) return;
    const cached = store.peek(epoch);
    if (cached) {
      if (this.drawn !== epoch || ui.plot.dataset.generation !== String(store.generation)) {
        ui.plot.dataset.generation = String(store.generation);
        this.draw(epoch, cached);
      }
      return;
    }
    if (this.fetching) return;
    this.fetching = true;
    store.fetch(epoch).then(() => {
      this.fetching = false;
      this.show(this.wanted);
    }, (err) => {
      this.fetching = false;
      if (signal.aborted) return;
      this.failed = true;
      this.stage.error(err.message);
      ui.plot.dataset.failedEpoch = String(err.epoch ?? epoch);
      if (this.wanted !== epoch) this.show(this.wanted);
    });
  }

  showCurrent() {
    this.show(this.model.get("epoch"));
  }

  goTo(epoch) {
    if (epoch === this.model.get("epoch")) return this.show(epoch);
    this.model.set("epoch", epoch);
    this.model.save_changes();
  }
}

/**
 * Draw the model's epoch into `ui.plot` and keep it drawn until `signal` aborts.
 * @returns {{goTo: (epoch: number) => void, ready: Promise<void>}}
 */
export function createPreview(model, store, ui, signal) {
  const preview = new Preview(model, store, ui, signal);
  return { goTo: (epoch) => preview.goTo(epoch), ready: preview.ready, preview };
}
