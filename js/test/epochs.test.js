import { describe, expect, it } from "vitest";
import { indexOf, nearest, stepFrom } from "../src/epochs.js";
import { FakeModel } from "./fake_model.js";

describe("epoch navigation", () => {
  const epochs = [0, 10, 50, 200];

  it("steps through non-uniform epochs and stops at the ends", () => {
    const m = new FakeModel({ epochs, epoch: 10, repeat: false });
    expect(stepFrom(m, 1)).toBe(50);
    expect(stepFrom(m, -1)).toBe(0);
    m.set("epoch", 200);
    expect(stepFrom(m, 1)).toBe(200);
    expect(stepFrom(new FakeModel({ epochs: [] }), 1)).toBeUndefined();
  });

  it("wraps around with repeat", () => {
    const m = new FakeModel({ epochs, epoch: 200, repeat: true });
    expect(stepFrom(m, 1)).toBe(0);
    m.set("epoch", 0);
    expect(stepFrom(m, -1)).toBe(200);
  });

  it("snaps a typed number to the nearest epoch, the smaller on a tie", () => {
    expect(nearest(epochs, 30)).toBe(10);
    expect(nearest(epochs, 31)).toBe(50);
    expect(nearest(epochs, 5)).toBe(0);
    expect(nearest(epochs, 9999)).toBe(200);
    expect(nearest([], 7.4)).toBe(7);
    expect(indexOf(epochs, 51)).toBe(0);
  });
});
