import { describe, expect, it } from "vitest";
import { FigureStore } from "../src/figure_store.js";
import { FakeModel, figureMessage } from "./fake_model.js";

const model = () => new FakeModel({ browser_cache_size: 2 });

describe("FigureStore", () => {
  it("asks once per epoch, the first request saying the page holds nothing", async () => {
    const m = model();
    const store = new FigureStore(m);
    const a = store.fetch(10);
    const b = store.fetch(10);
    expect(m.sent).toEqual([{ type: "figure", epoch: 10, prefetch: false, reset: true }]);
    m.receive(...figureMessage(10, [["h1", [1, 2, 3]]]));
    const fig = await a;
    expect(await b).toBe(fig);
    expect(Array.from(fig.data[0].y)).toEqual([1, 2, 3]);
    expect(fig.data[0].y).toBeInstanceOf(Float64Array);
    store.fetch(20);
    expect(m.sent[1].reset).toBeUndefined();
  });

  it("reuses arrays it holds and asks again in full when one is gone", async () => {
    const m = model();
    const store = new FigureStore(m);
    const first = store.fetch(1);
    m.receive(...figureMessage(1, [["a", [5, 6]]]));
    await first;
    const second = store.fetch(2);
    m.receive(...figureMessage(2, [["a", [5, 6]]], { held: ["a"] }));
    expect(Array.from((await second).data[0].y)).toEqual([5, 6]);
    expect(store.stats.arraysReused).toBe(1);
    const third = store.fetch(3);
    m.receive(...figureMessage(3, [["gone", [1]]], { held: ["gone"] }));
    expect(m.sent.at(-1)).toMatchObject({ type: "figure", epoch: 3, full: true });
    m.receive(...figureMessage(3, [["gone", [1]]]));
    expect(Array.from((await third).data[0].y)).toEqual([1]);
    expect(store.stats.misses).toBe(1);
  });

  it("keeps the most recently used figures within its size", async () => {
    const m = model();
    const store = new FigureStore(m);
    for (const epoch of [1, 2]) {
      const p = store.fetch(epoch);
      m.receive(...figureMessage(epoch, [[`e${epoch}`, [epoch]]]));
      await p;
    }
    store.peek(1); // 1 is now the most recent
    const p = store.fetch(3);
    m.receive(...figureMessage(3, [["e3", [3]]]));
    await p;
    expect([...store.cache.keys()].sort()).toEqual([1, 3]);
  });

  it("drops everything on invalidate and rejects a renderer error", async () => {
    const m = model();
    const store = new FigureStore(m);
    const p = store.fetch(1);
    m.receive(...figureMessage(1, [["x", [1]]]));
    await p;
    let cleared = 0;
    store.onInvalidate(() => (cleared += 1), new AbortController().signal);
    m.receive({ type: "invalidate" });
    expect(store.has(1)).toBe(false);
    expect([store.generation, cleared]).toEqual([1, 1]);
    const failed = store.fetch(4);
    m.receive({ type: "figure", epoch: 4, error: "Renderer 'x' failed" });
    await expect(failed).rejects.toMatchObject({ message: "Renderer 'x' failed", epoch: 4 });
  });
});
