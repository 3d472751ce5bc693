import { describe, expect, it } from "vitest";
import { keepDrawnObjects } from "../src/drawn_objects.js";

describe("keepDrawnObjects", () => {
  const x = new Float64Array([0, 1]);
  const drawn = [{ type: "scatter", x, meta: { series: "loss", runs: 60 }, line: { width: 1 } }];

  it("hands back the drawn objects where the new ones are equal", () => {
    const next = [{ type: "scatter", x, meta: { series: "loss", runs: 60 }, line: { width: 1 } }];
    const [trace] = keepDrawnObjects(drawn, next);
    expect(trace.meta).toBe(drawn[0].meta);
    expect(trace.line).toBe(drawn[0].line);
    expect(trace.x).toBe(x);
    expect(next[0].meta).not.toBe(drawn[0].meta); // the caller's trace is left as it was
  });

  it("keeps new objects that differ, and everything of another trace type", () => {
    const changed = [{ type: "scatter", x, meta: { series: "loss", runs: 61 }, line: { width: 1 } }];
    const [trace] = keepDrawnObjects(drawn, changed);
    expect(trace.meta).toBe(changed[0].meta);
    expect(trace.line).toBe(drawn[0].line);
    const other = [{ type: "bar", x, meta: { series: "loss", runs: 60 } }];
    expect(keepDrawnObjects(drawn, other)[0]).toBe(other[0]);
    expect(keepDrawnObjects(undefined, other)).toBe(other);
  });

  it("takes typed arrays and large values as changed unless they are the same object", () => {
    const big = Array.from({ length: 5000 }, (_, i) => i);
    const old = [{ type: "scatter", y: new Float64Array([1]), text: big }];
    const next = [{ type: "scatter", y: new Float64Array([1]), text: [...big] }];
    const [trace] = keepDrawnObjects(old, next);
    expect(trace.y).toBe(next[0].y);
    expect(trace.text).toBe(next[0].text);
  });
});
