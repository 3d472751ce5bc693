import { describe, expect, it } from "vitest";
import { MAX_VALUES, chooseMetric, isPicked, offered, pick, toggle } from "../src/filters.js";
import { FakeModel } from "./fake_model.js";

describe("dashboard filter bar", () => {
  it("offers hyperparameters with two to twelve values", () => {
    const many = Array.from({ length: MAX_VALUES + 1 }, (_, i) => i);
    const hparams = { lr: [0.001, 0.003], opt: ["adam"], seed: many, p: [11, 13] };
    expect(offered(hparams).map(([key]) => key)).toEqual(["lr", "p"]);
    expect(offered(undefined)).toEqual([]);
    expect(offered({ bad: "x" })).toEqual([]);
  });

  it("ticks values on and off; an emptied group means every value", () => {
    let filters = toggle({}, "lr", 0.001, true);
    expect(filters).toEqual({ lr: [0.001] });
    filters = toggle(filters, "lr", 0.003, true);
    filters = toggle(filters, "seed", 1, true);
    expect(filters).toEqual({ lr: [0.001, 0.003], seed: [1] });
    filters = toggle(filters, "lr", 0.001, false);
    filters = toggle(filters, "lr", 0.003, false);
    expect(filters).toEqual({ seed: [1] });
    expect(toggle(filters, "seed", 1, true)).toEqual({ seed: [1] }); // no duplicates
    expect(isPicked({ seed: [1] }, "seed", 1)).toBe(true);
    expect(isPicked({ seed: [1] }, "seed", "1")).toBe(false); // 1 and "1" differ
    expect(isPicked(null, "seed", 1)).toBe(false);
  });

  it("sends a new filters object and the metric through the model", () => {
    const model = new FakeModel({ filters: { lr: [0.001] }, metric: "" });
    const before = model.get("filters");
    const changes = [];
    model.on("change:filters", () => changes.push(model.get("filters")));
    pick(model, "seed", 0, true);
    expect(model.get("filters")).toEqual({ lr: [0.001], seed: [0] });
    expect(before).toEqual({ lr: [0.001] }); // never mutated: the model sees a change
    pick(model, "lr", 0.001, false);
    expect(changes).toEqual([{ lr: [0.001], seed: [0] }, { seed: [0] }]);
    chooseMetric(model, "test_acc");
    expect(model.get("metric")).toBe("test_acc");
    expect(model.saves).toBe(3);
  });
});
