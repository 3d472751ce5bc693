// Figures per epoch: fetched from the kernel on first visit, then kept in a small LRU in the
// browser so a revisit (scrubbing back, playing again) needs no kernel round trip.
// One store per model, shared by all of its views (e.g. a cell output and the sidebar).
import { MSG } from "./model.js";

const DTYPES = {
  f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};

/** Decode plotly's base64 typed-array specs ({dtype, bdata}) once, when a figure arrives. */
function decodeArrays(value) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeArrays(value[i]);
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  if (typeof value.bdata === "string" && DTYPES[value.dtype] && !value.shape) {
    const raw = atob(value.bdata);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new DTYPES[value.dtype](bytes.buffer);
  }
  for (const key of Object.keys(value)) value[key] = decodeArrays(value[key]);
  return value;
}

class FigureStore {
  constructor(model) {
    this.model = model;
    /** @type {Map<number, {data: any[], layout: any}>} */
    this.cache = new Map();
    /** @type {Map<number, {promise: Promise<any>, resolve: Function, reject: Function}>} */
    this.pending = new Map();
    this.generation = 0;
    /** @type {Map<string, any>} one object per distinct layout.template */
    this.templates = new Map();
    this.listeners = new Set();
    model.on("msg:custom", (msg, buffers) => this.onMessage(msg, buffers));
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

  get inFlight() {
    return this.pending.size;
  }

  /** Fetch an epoch's figure from the kernel (deduplicated); resolves to the figure. */
  fetch(epoch) {
    const cached = this.peek(epoch);
    if (cached) return Promise.resolve(cached);
    let entry = this.pending.get(epoch);
    if (!entry) {
      entry = {};
      entry.promise = new Promise((resolve, reject) => {
        entry.resolve = resolve;
        entry.reject = reject;
      });
      entry.generation = this.generation;
      this.pending.set(epoch, entry);
      this.model.send({ type: MSG.figure, epoch });
    }
    return entry.promise;
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

  onMessage(msg, buffers) {
    if (msg?.type === MSG.invalidate) {
      this.clear();
      return;
    }
    if (msg?.type !== MSG.figure) return;
    const entry = this.pending.get(msg.epoch);
    this.pending.delete(msg.epoch);
    if (msg.error) {
      entry?.reject(Object.assign(new Error(msg.error), { epoch: msg.epoch }));
      return;
    }
    const text = new TextDecoder().decode(buffers[0]);
    const fig = decodeArrays(JSON.parse(text));
    this.shareTemplate(fig);
    if (!entry || entry.generation === this.generation) {
      this.cache.set(msg.epoch, fig);
      while (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value);
    }
    entry?.resolve(fig);
  }
}

const stores = new WeakMap();

/** @returns {FigureStore} the store of this model */
export function storeFor(model) {
  let store = stores.get(model);
  if (!store) {
    store = new FigureStore(model);
    stores.set(model, store);
  }
  return store;
}
