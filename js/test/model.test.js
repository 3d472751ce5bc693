import { describe, expect, it } from "vitest";
import { observe } from "../src/model.js";

/** A model whose `on` takes exactly one event name per call (as marimo's does). */
class OneNameModel {
  constructor() {
    this.listeners = new Map();
  }

  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
  }

  off(name, fn) {
    this.listeners.get(name)?.delete(fn);
  }

  emit(name) {
    for (const fn of this.listeners.get(name) || []) fn();
  }
}

describe("observe", () => {
  it("registers each event on its own, so one-name models hear every change", () => {
    const model = new OneNameModel();
    const lifetime = new AbortController();
    let calls = 0;
    observe(model, "change:epoch  change:epochs", () => (calls += 1), lifetime.signal);
    model.emit("change:epoch");
    model.emit("change:epochs");
    expect(calls).toBe(2);
    lifetime.abort();
    model.emit("change:epoch");
    expect(calls).toBe(2);
    expect([...model.listeners.values()].every((set) => set.size === 0)).toBe(true);
  });
});
