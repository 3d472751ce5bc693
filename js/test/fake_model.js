// A stand-in for anywidget's model: get/set/save_changes/on/off/send, events on change.
export class FakeModel {
  constructor(state = {}) {
    this.state = { ...state };
    this.listeners = new Map();
    this.sent = [];
    this.saves = 0;
  }

  get(key) {
    return this.state[key];
  }

  set(key, value) {
    const old = this.state[key];
    this.state[key] = value;
    if (old !== value) this.emit(`change:${key}`);
  }

  save_changes() {
    this.saves += 1;
  }

  on(events, fn) {
    for (const e of events.split(/\s+/)) {
      if (!this.listeners.has(e)) this.listeners.set(e, new Set());
      this.listeners.get(e).add(fn);
    }
  }

  off(events, fn) {
    for (const e of events.split(/\s+/)) this.listeners.get(e)?.delete(fn);
  }

  emit(event, ...args) {
    for (const fn of [...(this.listeners.get(event) || [])]) fn(...args);
  }

  send(msg) {
    this.sent.push(msg);
  }

  /** A message from the kernel. */
  receive(msg, buffers = []) {
    this.emit("msg:custom", msg, buffers);
  }
}

/** A figure message as the kernel sends it: JSON skeleton + one buffer per new array. */
export function figureMessage(epoch, arrays, { held = [] } = {}) {
  const data = arrays.map((_, i) => ({ type: "scatter", y: { __vzarr__: i } }));
  const skeleton = new TextEncoder().encode(JSON.stringify({ data, layout: {} }));
  const buffers = [new DataView(skeleton.buffer)];
  const specs = arrays.map(([id, values], i) => {
    if (held.includes(id)) return { id, dtype: "f8", shape: [values.length] };
    buffers.push(new DataView(new Float64Array(values).buffer));
    return { id, dtype: "f8", shape: [values.length], buffer: buffers.length - 1 };
  });
  void specs.length;
  return [{ type: "figure", epoch, arrays: specs }, buffers];
}
