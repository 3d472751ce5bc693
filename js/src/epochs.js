// Epoch arithmetic over the synced `epochs` list (ascending real epoch numbers, often
// non-uniform): positions, stepping with or without repeat, snapping a typed number.

/** @typedef {import("./model.js").WidgetModel} WidgetModel */

/** @param {WidgetModel} model */
export const epochList = (model) => model.get("epochs") || [];

/** Position of `epoch` in `list`; 0 when it is not there. */
export function indexOf(list, epoch) {
  const i = list.indexOf(epoch);
  return i >= 0 ? i : 0;
}

/**
 * The epoch `delta` positions from the one shown: wraps around with `repeat`, else stops at
 * the ends; undefined without epochs.
 * @param {WidgetModel} model
 * @param {number} delta
 */
export function stepFrom(model, delta) {
  const list = epochList(model);
  if (!list.length) return undefined;
  let i = indexOf(list, model.get("epoch")) + delta;
  if (i >= list.length) i = model.get("repeat") ? 0 : list.length - 1;
  if (i < 0) i = model.get("repeat") ? list.length - 1 : 0;
  return list[i];
}

/**
 * The epoch of `list` nearest to `value`, the smaller one on a tie: the rule of the Python
 * trait validator, applied here too so the preview never asks for an epoch that does not exist.
 * @param {number[]} list
 * @param {number} value
 */
export function nearest(list, value) {
  if (!list.length || Number.isNaN(value)) return Math.round(value);
  let best = list[0];
  for (const epoch of list) if (Math.abs(epoch - value) < Math.abs(best - value)) best = epoch;
  return best;
}
