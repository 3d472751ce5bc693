// Figures per epoch: fetched from the kernel on first visit, then kept in a small LRU in the
// browser so a revisit (scrubbing back, playing again) needs no kernel round trip.
// One store per model, created by the widget's `initialize` and shared by all of its views
// (e.g. a cell output and the sidebar).
import { MSG } from "./model.js";

const DTYPES = {
  f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};
/** Bytes of arrays kept by content hash (Python assumes half: widget.BROWSER_ARRAY_BUDGET). */
const ARRAY_BUDGET = 256 * 2 ** 20;
const REF = "__vzarr__";

/**
 * A typed array (1-D) or plotly's typed-array spec with an ArrayBuffer (n-D) over the raw
 * bytes of one buffer. plotly.js takes both as they are: no base64, no copy when aligned.
 */
function arrayValue(spec, view) {
  const T = DTYPES[spec.dtype];
  let { buffer, byteOffset, byteLength } = view;
  if (byteOffset % T.BYTES_PER_ELEMENT !== 0 || (spec.shape.length > 1 &&
      (byteOffset !== 0 || byteLength !== buffer.byteLength))) {
    buffer = buffer.slice(byteOffset, byteOffset + byteLength);
    byteOffset = 0;
  }
  if (spec.shape.length <= 1) return new T(buffer, byteOffset, byteLength / T.BYTES_PER_ELEMENT);
  return { dtype: spec.dtype, bdata: buffer, shape: spec.shape.join(",") };
}

/** Put the arrays back into the JSON skeleton in place of their placeholders. */
function fillArrays(value, arrays) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fillArrays(value[i], arrays);
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  if (value[REF] !== undefined) return arrays[value[REF]];
  for (const key of Object.keys(value)) value[key] = fillArrays(value[key], arrays);
  return value;
}

/** Arrays by content hash, least recently used first, bounded in bytes. */
class ArrayCache {
  constructor(budget) {
    this.budget = budget;
    this.bytes = 0;
    /** @type {Map<string, {value: any, bytes: number}>} */
    this.items = new Map();
  }

  get(id) {
    const item = this.items.get(id);
    if (!item) return undefined;
    this.items.delete(id);
    this.items.set(id, item);
    return item.value;
  }

  put(id, value, bytes) {
    const old = this.items.get(id);
    if (old) {
      this.items.delete(id);
      this.bytes -= old.bytes;
    }
    this.items.set(id, { value, bytes });
    this.bytes += bytes;
    while (this.bytes > this.budget && this.items.size > 1) {
      const [oldest, item] = this.items.entries().next().value;
      this.items.delete(oldest);
      this.bytes -= item.bytes;
    }
  }
}

/**
 * @typedef {Object} Pending a figure asked for, not arrived yet
 * @property {Promise<any>} promise
 * @property {(fig: any) => void} resolve
 * @property {(err: Error) => void} reject
 * @property {number} generation the store's generation when asked (stale after a clear)
 */

export class FigureStore {
  /** @param {import("./model.js").WidgetModel} model */
  constructor(model) {
    this.model = model;
    /** @type {Map<number, {data: any[], layout: any}>} */
    this.cache = new Map();
    /** @type {Map<number, Pending>} */
    this.pending = new Map();
    this.generation = 0;
    /** @type {Map<string, any>} one object per distinct layout.template */
    this.templates = new Map();
    /** @type {Set<() => void>} called when the cached figures were dropped */
    this.listeners = new Set();
    /** @type {Set<(epoch: number, fig: any) => void>} called with refined (zoomed) views */
    this.viewListeners = new Set();
    this.arrays = new ArrayCache(ARRAY_BUDGET);
    this.fresh = true; // no request sent yet: tell Python we hold no arrays
    this.stats = { figures: 0, arraysSent: 0, arraysReused: 0, misses: 0, prefetched: 0 };
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
  }

  /** Stop listening to the model and let go of every figure and array. */
  dispose() {
    this.model.off("msg:custom", this.onMessage);
    this.cache.clear();
    this.pending.clear();
    this.listeners.clear();
    this.viewListeners.clear();
    this.arrays = new ArrayCache(ARRAY_BUDGET);
  }

  /** Call `fn` whenever the cached figures are dropped, until `signal` aborts. */
  onInvalidate(fn, signal) {
    this.listeners.add(fn);
    signal.addEventListener("abort", () => this.listeners.delete(fn), { once: true });
  }

  /** Call `fn(epoch, fig)` with each refined view Python sends, until `signal` aborts. */
  onView(fn, signal) {
    this.viewListeners.add(fn);
    signal.addEventListener("abort", () => this.viewListeners.delete(fn), { once: true });
  }

  get limit() {
    return Math.max(1, this.model.get("browser_cache_size") || 32);
  }

  /** The cached figure of an epoch (marked recently used), or undefined. */
  peek(epoch) {
    const fig = this.cache.get(epoch);
    if (fig) {
      this.cache.delete(epoch);
      this.cache.set(epoch, fig);
    }
    return fig;
  }

  has(epoch) {
    return this.cache.has(epoch);
  }

  /**
   * Fetch an epoch's figure from the kernel (deduplicated); resolves to the figure.
   * A prefetch does not touch the widget's error state in Python.
   */
  fetch(epoch, { prefetch = false } = {}) {
    const cached = this.peek(epoch);
    if (cached) return Promise.resolve(cached);
    let entry = this.pending.get(epoch);
    if (!entry) {
      let resolve, reject;
      const promise = new Promise((yes, no) => {
        resolve = yes;
        reject = no;
      });
      entry = { promise, resolve, reject, generation: this.generation };
      this.pending.set(epoch, entry);
      if (prefetch) this.stats.prefetched += 1;
      this.request({ type: MSG.figure, epoch, prefetch });
    }
    return entry.promise;
  }

  request(msg) {
    if (this.fresh) msg.reset = true;
    this.fresh = false;
    this.model.send(msg);
  }

  /** Drop every cached figure (Python said they are stale). */
  clear() {
    this.cache.clear();
    this.generation += 1;
    for (const fn of this.listeners) fn();
  }

  /**
   * Figures of one renderer usually share a template; giving them the same object lets
   * Plotly.react see an unchanged layout instead of re-applying the template every epoch.
   */
  shareTemplate(fig) {
    const template = fig.layout?.template;
    if (!template) return;
    const key = JSON.stringify(template);
    const known = this.templates.get(key);
    if (known) fig.layout.template = known;
    else if (this.templates.size < 8) this.templates.set(key, template);
  }

  /** The arrays of a figure message: new ones from its buffers, known ones by hash. */
  resolve(specs, buffers) {
    const out = new Array(specs.length);
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      if (spec.buffer != null) {
        const view = buffers[spec.buffer];
        out[i] = arrayValue(spec, view);
        this.arrays.put(spec.id, out[i], view.byteLength);
        this.stats.arraysSent += 1;
      } else {
        out[i] = this.arrays.get(spec.id);
        if (out[i] === undefined) return null;
        this.stats.arraysReused += 1;
      }
    }
    return out;
  }

  onMessage(msg, buffers) {
    if (msg?.type === MSG.invalidate) {
      this.clear();
      return;
    }
    if (msg?.type !== MSG.figure) return;
    if (msg.view) {
      // a zoomed view: drawn by the views, never cached (sent in full, no references)
      if (msg.error) return;
      const arrays = this.resolve(msg.arrays || [], buffers);
      if (!arrays) return;
      const fig = fillArrays(JSON.parse(new TextDecoder().decode(buffers[0])), arrays);
      for (const fn of this.viewListeners) fn(msg.epoch, fig);
      return;
    }
    const entry = this.pending.get(msg.epoch);
    this.pending.delete(msg.epoch);
    if (msg.error) {
      entry?.reject(Object.assign(new Error(msg.error), { epoch: msg.epoch }));
      return;
    }
    const arrays = this.resolve(msg.arrays || [], buffers);
    if (!arrays) {
      // an array we were told we hold is gone (evicted, or this page is new): ask again,
      // in full; a figure nobody here asked for is simply dropped
      this.stats.misses += 1;
      if (entry) {
        this.pending.set(msg.epoch, entry);
        this.model.send({ type: MSG.figure, epoch: msg.epoch, full: true,
          prefetch: msg.prefetch });
      }
      return;
    }
    const fig = fillArrays(JSON.parse(new TextDecoder().decode(buffers[0])), arrays);
    this.stats.figures += 1;
    this.shareTemplate(fig);
    if (!entry || entry.generation === this.generation) {
      this.cache.set(msg.epoch, fig);
      while (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value);
    }
    entry?.resolve(fig);
  }
}
