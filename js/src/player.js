// Play/Pause: the `playing` trait drives one timer per model (not per view: a widget shown
// twice, in a cell and in the sidebar, plays once at its fps). The timer advances one epoch
// per 1/fps seconds on a fixed schedule (a frame that comes late does not shift the ones
// after it, unless playback fell a whole period behind). A figure not cached yet is waited
// for, never skipped; at the last epoch playback stops, or starts over with `repeat`.
import { epochList, indexOf } from "./epochs.js";
import { observe } from "./model.js";

const AHEAD = 3; // epochs fetched ahead of the one shown while playing

/** The clock the player runs on (replaced in unit tests). */
export const realClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/** The playback of one model: created by the widget's `initialize`, shared by its views. */
export class Player {
  /**
   * @param {import("./model.js").WidgetModel} model
   * @param {{has: (e: number) => boolean, fetch: (e: number) => Promise<any>}} store
   * @param {typeof realClock} [clock]
   */
  constructor(model, store, clock = realClock) {
    this.model = model;
    this.store = store;
    this.clock = clock;
    this.timer = null;
    this.due = 0; // when the next frame is due (clock.now() ms)
    this.started = false; // a view has plotly.js: frames can be drawn
    this.lifetime = new AbortController();
    observe(model, "change:playing change:fps", () => this.sync(), this.lifetime.signal);
  }

  get period() {
    return 1000 / Math.max(0.1, this.model.get("fps") || 5);
  }

  /** A view is ready to draw: playback may run from now on. */
  start() {
    if (this.started) return;
    this.started = true;
    this.sync();
  }

  toggle() {
    this.model.set("playing", !this.model.get("playing"));
    this.model.save_changes();
  }

  stop() {
    this.model.set("playing", false);
    this.model.save_changes();
  }

  prefetchAhead() {
    const list = epochList(this.model);
    const i = indexOf(list, this.model.get("epoch"));
    for (let k = 1; k <= AHEAD && i + k < list.length; k++) {
      if (!this.store.has(list[i + k])) this.store.fetch(list[i + k]).catch(() => {});
    }
  }

  tick() {
    this.timer = null;
    const { model, clock } = this;
    if (!model.get("playing") || this.disposed) return;
    const list = epochList(model);
    const i = indexOf(list, model.get("epoch"));
    if (i >= list.length - 1 && !model.get("repeat")) return this.stop();
    const next = list[(i + 1) % list.length];
    this.store.fetch(next).then(() => {
      if (!model.get("playing") || this.disposed) return;
      model.set("epoch", next);
      model.save_changes();
      this.prefetchAhead();
      const now = clock.now();
      const period = this.period;
      this.due = now - this.due > period ? now + period : this.due + period; // fell behind
      this.timer = clock.setTimeout(() => this.tick(), Math.max(0, this.due - now));
    }, () => this.disposed || this.stop());
  }

  sync() {
    if (!this.started || this.disposed) return;
    const playing = this.model.get("playing");
    if (playing && this.timer === null) {
      this.prefetchAhead();
      this.due = this.clock.now() + this.period;
      this.timer = this.clock.setTimeout(() => this.tick(), this.period);
    } else if (!playing && this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  dispose() {
    this.disposed = true;
    this.lifetime.abort();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Wire one view's Play button to the model's player until `signal` aborts.
 * @param {import("./model.js").WidgetModel} model
 * @param {Player} player
 * @param {HTMLButtonElement} button
 * @param {Promise<void>} ready the view can draw (plotly.js loaded)
 * @param {AbortSignal} signal
 */
export function bindPlayButton(model, player, button, ready, signal) {
  const sync = () => {
    const playing = model.get("playing");
    button.textContent = playing ? "Pause" : "Play";
    button.classList.toggle("vzw-active", playing);
  };
  button.addEventListener("click", () => player.toggle(), { signal });
  observe(model, "change:playing", sync, signal);
  sync();
  ready.then(() => player.start());
}
