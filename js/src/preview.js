// The live preview: the stage (plot, loading message, error banner) drawn with plotly.js.
// Figures come from the model's FigureStore: one fetch in flight per view, the latest wish
// wins; after each draw the neighbours (slider direction first) are prefetched. Plot events
// the Python side listens to (click, hover, select) are forwarded as custom messages.
import { epochList } from "./epochs.js";
import { MSG, observe } from "./model.js";
import { loadPlotly } from "./plotly_loader.js";
import { showTitles, takeTitles } from "./titles.js";

const PLOT_CONFIG = { responsive: true, displaylogo: false, displayModeBar: "hover" };
const EVENT_KINDS = { plotly_click: "click", plotly_hover: "hover", plotly_selected: "select" };

/** Points of a Plotly event, reduced to what Python needs. */
function points(ev) {
  return (ev?.points || []).map((p) => ({
    trace: p.curveNumber,
    point: p.pointNumber ?? p.pointIndex ?? null,
    x: p.x ?? null,
    y: p.y ?? null,
    z: p.z ?? null,
    customdata: p.customdata ?? null,
    text: p.text ?? null,
  }));
}

/** A figure ready for the preview: fitted to its box, zoom kept across epochs, titles apart. */
function forPreview(fig) {
  const layout = { ...(fig.layout || {}), autosize: true };
  delete layout.width;
  delete layout.height;
  layout.uirevision ??= "vizwidget";
  const titles = takeTitles(layout);
  return { data: (fig.data || []).map((t) => ({ ...t })), layout, titles };
}

/**
 * Draw the model's epoch into `ui.plot` and keep it drawn until `signal` aborts.
 * @param {import("./model.js").WidgetModel} model
 * @param {import("./figure_store.js").FigureStore} store
 * @param {{stage: HTMLElement, plot: any, message: HTMLElement, error: HTMLElement}} ui
 * @param {AbortSignal} signal
 * @returns {{goTo: (epoch: number) => void, ready: Promise<void>}} `goTo` asks for an epoch
 *   (the one shown is drawn again, or fetched again after an error); `ready` resolves once
 *   plotly.js is loaded and stays pending if it never loads
 */
export function createPreview(model, store, ui, signal) {
  let Plotly = null;
  let drawn = null; // epoch drawn in the plot
  let titles = []; // its panel titles, shown as HTML labels (titles.js)
  let wanted = null; // epoch asked for last
  let fetching = false; // a fetch of this view is in flight
  let direction = 1; // the way the user moves through the epochs, for prefetching
  let failed = false; // the error shown came from a renderer: clear it on the next draw
  let eventsBound = false;

  const showError = (text) => {
    ui.error.textContent = text || "";
    ui.error.style.display = text ? "block" : "none";
  };
  const showMessage = (text) => {
    ui.message.textContent = text || "";
    ui.message.style.display = text ? "flex" : "none";
  };

  function prefetchNeighbours(epoch) {
    if (!model.get("prefetch") || model.get("playing")) return;
    const list = epochList(model);
    const i = list.indexOf(epoch);
    if (i < 0) return;
    for (const j of [i + direction, i - direction]) {
      if (j >= 0 && j < list.length && !store.has(list[j]) && !store.pending.has(list[j])) {
        store.fetch(list[j], { prefetch: true }).catch(() => {});
      }
    }
  }

  function forwardEvents() {
    eventsBound = true;
    for (const [plotlyName, kind] of Object.entries(EVENT_KINDS)) {
      let last = 0;
      ui.plot.on(plotlyName, (ev) => {
        if (!(model.get("_events") || []).includes(kind)) return;
        const now = performance.now();
        if (kind === "hover" && now - last < 50) return; // hover is throttled
        last = now;
        model.send({ type: MSG.event, kind, epoch: drawn, points: points(ev),
          lod: ui.plot.layout?.vizwidgetLod ?? null });
      });
    }
    ui.plot.on("plotly_relayout", onRelayout);
  }

  /** A zoom, pan or reset of a down-sampled figure asks Python for that range's points. */
  function onRelayout(ev) {
    if (!ev || drawn === null || !ui.plot.layout?.vizwidgetLod) return;
    const range = (axis) => {
      if (ev[`${axis}.autorange`]) return null;
      const r = ev[`${axis}.range`] ||
        (ev[`${axis}.range[0]`] !== undefined ? [ev[`${axis}.range[0]`], ev[`${axis}.range[1]`]]
          : undefined);
      return r === undefined ? undefined : r;
    };
    let xrange = range("xaxis");
    let yrange = range("yaxis");
    if (xrange === undefined && yrange === undefined) return; // not a change of the ranges
    const full = ui.plot._fullLayout || {};
    if (xrange === undefined) xrange = full.xaxis?.autorange ? null : full.xaxis?.range ?? null;
    if (yrange === undefined) yrange = full.yaxis?.autorange ? null : full.yaxis?.range ?? null;
    const cached = store.peek(drawn);
    if (xrange === null && yrange === null && cached) {
      draw(drawn, cached); // reset: the whole-range sample is in the cache
      return;
    }
    model.send({ type: MSG.view, epoch: drawn, xrange, yrange });
  }

  async function draw(epoch, fig) {
    const { data, layout, titles: panelTitles } = forPreview(fig);
    drawn = epoch;
    ui.plot.dataset.epoch = String(epoch);
    titles = panelTitles;
    showTitles(ui.titles, ui.plot, titles); // the new text at once, placed as before
    await Plotly.react(ui.plot, data, layout, PLOT_CONFIG);
    if (signal.aborted) return;
    showTitles(ui.titles, ui.plot, titles); // placed by the plot area just drawn
    // asked after the draw: on two cores a kernel rendering them would slow this draw down
    prefetchNeighbours(epoch);
    if (!eventsBound) forwardEvents();
    showMessage("");
    if (failed) {
      failed = false;
      showError("");
      if (model.get("error")) {
        model.set("error", "");
        model.save_changes();
      }
    }
  }

  /** Draw `epoch`: at once when cached, else fetch it (one request at a time, latest wins). */
  function show(epoch) {
    const list = epochList(model);
    const from = list.indexOf(wanted);
    const to = list.indexOf(epoch);
    if (from >= 0 && to >= 0 && from !== to) direction = to > from ? 1 : -1;
    wanted = epoch;
    if (!Plotly || signal.aborted) return;
    const cached = store.peek(epoch);
    if (cached) {
      if (drawn !== epoch || ui.plot.dataset.generation !== String(store.generation)) {
        ui.plot.dataset.generation = String(store.generation);
        draw(epoch, cached);
      }
      return;
    }
    if (fetching) return;
    fetching = true;
    store.fetch(epoch).then(
      () => {
        fetching = false;
        show(wanted);
      },
      (err) => {
        fetching = false;
        if (signal.aborted) return;
        failed = true;
        showError(err.message);
        ui.plot.dataset.failedEpoch = String(err.epoch ?? epoch);
        if (wanted !== epoch) show(wanted);
      },
    );
  }

  const showCurrent = () => show(model.get("epoch"));
  const syncHeight = () => {
    ui.stage.style.height = `${model.get("preview_height")}px`;
  };
  observe(model, "change:epoch change:epochs change:static", showCurrent, signal);
  observe(model, "change:error", () => showError(model.get("error")), signal);
  observe(model, "change:preview_height", syncHeight, signal);
  store.onView((epoch, fig) => {
    if (epoch === drawn && Plotly && !signal.aborted) draw(epoch, fig);
  }, signal);
  store.onInvalidate(() => {
    drawn = null;
    showCurrent();
  }, signal);
  syncHeight();
  showError(model.get("error"));

  const resize = new ResizeObserver(() => {
    if (Plotly && drawn !== null && ui.plot.offsetWidth > 0) {
      Plotly.Plots.resize(ui.plot).then(() => showTitles(ui.titles, ui.plot, titles), () => {});
    }
  });
  resize.observe(ui.plot);
  signal.addEventListener("abort", () => {
    resize.disconnect();
    Plotly?.purge(ui.plot); // also removes the plot's event handlers
  }, { once: true });

  const ready = new Promise((resolve) => {
    loadPlotly(model).then(
      (P) => {
        if (signal.aborted) return;
        Plotly = P;
        ui.plot.dataset.ready = "1";
        showCurrent();
        resolve();
      },
      (err) => showMessage(err.message),
    );
  });

  return {
    goTo(epoch) {
      if (epoch === model.get("epoch")) return show(epoch);
      model.set("epoch", epoch);
      model.save_changes();
    },
    ready,
  };
}
