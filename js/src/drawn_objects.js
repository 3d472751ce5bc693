// Plotly.react compares some trace attributes by identity (those of valType "any", such as a
// trace's `meta`): a figure decoded afresh from the kernel carries equal but new objects,
// and react redraws every trace for them. An epoch step of an overlay of many runs, which
// moves only layout shapes, then costs a full redraw. Handing react the drawn objects
// wherever the new ones are equal lets it redraw only what changed.

/** Values compared at most per attribute: larger ones are taken as changed. */
const MAX_NODES = 2000;

/** Deep equality of JSON-like values within a node budget (typed arrays: identity only). */
function equal(a, b, budget) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b) || Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const keys = Object.keys(a);
  budget.left -= keys.length;
  if (budget.left < 0 || keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && equal(a[key], b[key], budget));
}

/**
 * `data` with each object-valued attribute that equals the drawn trace's (`drawn[i]`, what
 * plotly.js holds as `gd.data`) replaced by the drawn object; traces are copied, not changed.
 */
export function keepDrawnObjects(drawn, data) {
  if (!Array.isArray(drawn)) return data;
  return data.map((trace, i) => {
    const old = drawn[i];
    if (!old || old.type !== trace.type) return trace;
    let out = trace;
    for (const [key, value] of Object.entries(trace)) {
      if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) continue;
      if (value !== old[key] && equal(value, old[key], { left: MAX_NODES })) {
        if (out === trace) out = { ...trace };
        out[key] = old[key];
      }
    }
    return out;
  });
}
