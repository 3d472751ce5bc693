// Epoch arithmetic over the synced `epochs` list (ascending real epoch numbers, often
// non-uniform): positions, stepping with or without repeat.

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
