import { describe, expect, it } from "vitest";
import { GlBudget, contextsFor } from "../src/gl_budget.js";

const plot = (name, log) => ({ name, sleep: () => log.push(name) });

describe("GlBudget", () => {
  it("puts the least recently used plot to sleep beyond the plot limit", () => {
    const log = [];
    const budget = new GlBudget(2, 100);
    const [a, b, c] = ["a", "b", "c"].map((n) => plot(n, log));
    budget.admit(a, 1);
    budget.admit(b, 1);
    budget.touch(a);
    budget.admit(c, 1);
    expect(log).toEqual(["b"]);
    expect([...budget.live.keys()]).toEqual([a, c]);
  });

  it("puts plots out of view to sleep before the ones in view", () => {
    const log = [];
    const budget = new GlBudget(2, 100);
    const [a, b, c] = ["a", "b", "c"].map((n) => plot(n, log));
    budget.admit(a, 1);
    budget.admit(b, 1);
    b.inView = false;
    budget.admit(c, 1);
    expect(log).toEqual(["b"]);
  });

  it("has room for a plot out of view only where plots out of view can make it", () => {
    const budget = new GlBudget(2, 100);
    const [a, b, c] = ["a", "b", "c"].map((n) => plot(n, []));
    budget.admit(a, 1);
    budget.admit(b, 1);
    c.inView = false;
    expect(budget.roomOutOfView(c, 1)).toBe(false); // both others are in view
    b.inView = false;
    expect(budget.roomOutOfView(c, 1)).toBe(true);
    expect(budget.roomOutOfView(c, 0)).toBe(true);
  });

  it("counts contexts: a 3-D grid makes room for itself", () => {
    const log = [];
    const budget = new GlBudget(8, 12);
    const flat = [0, 1, 2].map((i) => plot(`flat${i}`, log));
    for (const p of flat) budget.admit(p, 3);
    budget.admit(plot("grid", log), 9);
    expect(log).toEqual(["flat0", "flat1"]);
    expect(budget.contexts).toBe(12);
  });

  it("keeps plots without WebGL out of the budget", () => {
    const budget = new GlBudget(1, 1);
    budget.admit(plot("svg", []), 0);
    expect(budget.live.size).toBe(0);
  });

  it("knows the contexts a figure needs", () => {
    expect(contextsFor([{ type: "scatter" }, { type: "bar" }])).toBe(0);
    expect(contextsFor([{ type: "scattergl" }, { type: "scattergl", xaxis: "x2" }])).toBe(3);
    expect(contextsFor([{ type: "scatter3d" }, { type: "scatter3d", scene: "scene2" },
      { type: "surface", scene: "scene2" }])).toBe(2);
  });
});
