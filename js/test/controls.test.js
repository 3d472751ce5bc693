import { describe, expect, it } from "vitest";
import { duration, framesText } from "../src/controls.js";

describe("animation progress label", () => {
  it("shows frames from the start and the time left once known", () => {
    expect(framesText([0, 31], -1)).toBe("frame 0/31");
    expect(framesText([3, 31], 12.4)).toBe("frame 3/31 · 12 s left");
    expect(framesText([31, 31], 0)).toBe("frame 31/31");
    expect(framesText([], -1)).toBe("");
    expect(duration(185)).toBe("3 min 05 s");
  });
});
