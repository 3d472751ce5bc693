import { describe, expect, it } from "vitest";
import { Player } from "../src/player.js";
import { FakeModel } from "./fake_model.js";

/** A clock whose time moves only when the test says so. */
class FakeClock {
  constructor() {
    this.time = 0;
    this.timers = new Map();
    this.next = 1;
  }

  now() {
    return this.time;
  }

  setTimeout(fn, ms) {
    const id = this.next++;
    this.timers.set(id, { fn, at: this.time + ms });
    return id;
  }

  clearTimeout(id) {
    this.timers.delete(id);
  }

  /** Move time forward by `ms`, running the timers that fall due (and their promises). */
  async advance(ms) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
      if (!due.length) break;
      const [id, timer] = due[0];
      this.timers.delete(id);
      this.time = timer.at;
      timer.fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    this.time = end;
  }
}

const store = { has: () => true, fetch: () => Promise.resolve({}) };

function setup(state) {
  const model = new FakeModel({ epochs: [0, 1, 2, 3, 4], epoch: 0, fps: 10, playing: false,
    repeat: false, ...state });
  const clock = new FakeClock();
  const player = new Player(model, store, clock);
  player.start();
  return { model, clock, player };
}

describe("Player", () => {
  it("advances one epoch per 1/fps seconds and stops at the last", async () => {
    const { model, clock } = setup();
    model.set("playing", true);
    await clock.advance(250);
    expect(model.get("epoch")).toBe(2);
    await clock.advance(1000);
    expect(model.get("epoch")).toBe(4);
    expect(model.get("playing")).toBe(false);
  });

  it("starts over with repeat, and pausing stops the timer", async () => {
    const { model, clock } = setup({ epoch: 3, repeat: true });
    model.set("playing", true);
    await clock.advance(200);
    expect(model.get("epoch")).toBe(0);
    model.set("playing", false);
    expect(clock.timers.size).toBe(0);
    await clock.advance(1000);
    expect(model.get("epoch")).toBe(0);
  });

  it("is one timer per model however many times start is called", async () => {
    const { model, clock, player } = setup();
    player.start();
    player.start();
    model.set("playing", true);
    expect(clock.timers.size).toBe(1);
    await clock.advance(100);
    expect(model.get("epoch")).toBe(1);
  });

  it("waits for a figure that is not there yet instead of skipping it", async () => {
    const model = new FakeModel({ epochs: [0, 1, 2], epoch: 0, fps: 10, playing: false });
    let release;
    const slow = { has: () => false,
      fetch: (e) => (e === 1 ? new Promise((r) => (release = r)) : Promise.resolve({})) };
    const clock = new FakeClock();
    new Player(model, slow, clock).start();
    model.set("playing", true);
    await clock.advance(500);
    expect(model.get("epoch")).toBe(0);
    release({});
    await clock.advance(0);
    expect(model.get("epoch")).toBe(1);
  });

  it("does nothing before a view can draw, and nothing after dispose", async () => {
    const model = new FakeModel({ epochs: [0, 1], epoch: 0, fps: 10, playing: true });
    const clock = new FakeClock();
    const player = new Player(model, store, clock);
    await clock.advance(500);
    expect(model.get("epoch")).toBe(0);
    player.start();
    player.dispose();
    await clock.advance(500);
    expect(model.get("epoch")).toBe(0);
  });
});
