// Plot events Python listens to (click, hover, select) go to the kernel as custom messages;
// a zoom, pan or reset of a down-sampled figure asks for that range's points.
import { MSG } from "./model.js";

const EVENT_KINDS = { plotly_click: "click", plotly_hover: "hover", plotly_selected: "select" };

/** Points of a Plotly event, reduced to what Python needs. */
export function points(ev) {
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

/**
 * The [x, y] ranges a relayout event sets (null = autorange), or undefined when it does not
 * change them; an axis the event leaves alone keeps its range in `full` (the full layout).
 */
export function viewRanges(ev, full = {}) {
  const range = (axis) => {
    if (ev[`${axis}.autorange`]) return null;
    if (ev[`${axis}.range`]) return ev[`${axis}.range`];
    if (ev[`${axis}.range[0]`] !== undefined) return [ev[`${axis}.range[0]`], ev[`${axis}.range[1]`]];
    return undefined;
  };
  let xrange = range("xaxis");
  let yrange = range("yaxis");
  if (xrange === undefined && yrange === undefined) return undefined;
  if (xrange === undefined) xrange = full.xaxis?.autorange ? null : full.xaxis?.range ?? null;
  if (yrange === undefined) yrange = full.yaxis?.autorange ? null : full.yaxis?.range ?? null;
  return [xrange, yrange];
}

/**
 * Forward the plot's events to the kernel.
 * @param {any} plot the plotly graph div
 * @param {import("./model.js").WidgetModel} model
 * @param {() => number|null} drawnEpoch
 * @param {(xrange: any, yrange: any) => void} onZoom a down-sampled figure's ranges changed
 */
export function forwardEvents(plot, model, drawnEpoch, onZoom) {
  for (const [plotlyName, kind] of Object.entries(EVENT_KINDS)) {
    let last = 0;
    plot.on(plotlyName, (ev) => {
      if (!(model.get("_events") || []).includes(kind)) return;
      const now = performance.now();
      if (kind === "hover" && now - last < 50) return; // hover is throttled
      last = now;
      model.send({ type: MSG.event, kind, epoch: drawnEpoch(), points: points(ev),
        lod: plot.layout?.vizwidgetLod ?? null });
    });
  }
  plot.on("plotly_relayout", (ev) => {
    if (!ev || drawnEpoch() === null || !plot.layout?.vizwidgetLod) return;
    const ranges = viewRanges(ev, plot._fullLayout || {});
    if (ranges) onZoom(...ranges);
  });
}
