// Dashboard filter bar: a checkbox group per hyperparameter (up to 12 values) and a metric
// <select>, over the Dashboard's `hparams`, `filters`, `metric` and `metrics` traits. Built
// only when `hparams` is non-empty; no box ticked in a group means every value.
import { h, setOptions } from "./dom.js";
import { observe } from "./model.js";

/** Hyperparameters with more values than this get no checkbox group. */
export const MAX_VALUES = 12;

/** A value's identity across JSON (so 1 and "1" differ, 0.001 is 0.001). */
export const valueKey = (value) => JSON.stringify(value);

/** The hyperparameters the bar offers: [key, values] with 2..MAX_VALUES values. */
export function offered(hparams) {
  if (!hparams || typeof hparams !== "object") return [];
  return Object.entries(hparams).filter(
    ([, values]) => Array.isArray(values) && values.length > 1 && values.length <= MAX_VALUES,
  );
}

/** Whether `value` of `key` is allowed explicitly by `filters`. */
export function isPicked(filters, key, value) {
  return (filters?.[key] || []).some((v) => valueKey(v) === valueKey(value));
}

/** `filters` with `value` of `key` ticked on or off; an emptied group is dropped (= all). */
export function toggle(filters, key, value, on) {
  const next = { ...(filters || {}) };
  const kept = (next[key] || []).filter((v) => valueKey(v) !== valueKey(value));
  if (on) kept.push(value);
  if (kept.length) next[key] = kept;
  else delete next[key];
  return next;
}

/** Tick a value on or off in the model's `filters` and send the change to Python. */
export function pick(model, key, value, on) {
  model.set("filters", toggle(model.get("filters"), key, value, on));
  model.save_changes();
}

/** Choose the metric ("" = each panel's default) and send it to Python. */
export function chooseMetric(model, name) {
  model.set("metric", name);
  model.save_changes();
}

/** The filter bar of one view, or null when the model has no hyperparameters. */
export function buildFilters(model, signal) {
  const hparams = model.get("hparams");
  if (!hparams || typeof hparams !== "object" || !Object.keys(hparams).length) return null;
  const boxes = [];
  const groups = offered(hparams).map(([key, values]) => {
    const items = values.map((value) => {
      const input = h("input", { type: "checkbox", value: valueKey(value) });
      input.dataset.hparam = key;
      input.addEventListener("change", () => pick(model, key, value, input.checked), { signal });
      boxes.push({ key, value, input });
      return h("label", { className: "vzw-check" }, [input, String(value)]);
    });
    return h("span", { className: "vzw-filter", title: `Show only runs with these ${key}` },
      [h("b", { textContent: `${key}:` }), ...items]);
  });
  const metric = h("select", { className: "vzw-metric", title: "Metric of metric-aware panels" });
  metric.addEventListener("change", () => chooseMetric(model, metric.value), { signal });
  const pull = () => {
    const filters = model.get("filters") || {};
    for (const { key, value, input } of boxes) input.checked = isPicked(filters, key, value);
    setOptions(metric, ["", ...(model.get("metrics") || [])], model.get("metric") || "");
  };
  observe(model, "change:filters change:metric change:metrics", pull, signal);
  pull();
  return h("div", { className: "vzw-row vzw-filters" },
    [...groups, h("label", { className: "vzw-field" }, ["Metric", metric])]);
}
