// Play/Pause: the `playing` trait drives a timer that advances one epoch per 1/fps seconds on
// a fixed schedule (a frame that comes late does not shift the ones after it, unless playback
// fell a whole period behind). A figure not cached yet is waited for, never skipped; at the
// last epoch playback stops, or starts over with `repeat`.
import { epochList, indexOf } from "./epochs.js";
import { observe } from "./model.js";

const AHEAD = 3; // epochs fetched ahead of the one shown while playing

/**
 * Wire the Play button and run the timer from `start` until `signal` aborts.
 * @param {import("./model.js").WidgetModel} model
 * @param {import("./figure_store.js").FigureStore} store
 * @param {HTMLButtonElement} button
 * @param {(epoch: number) => void} goTo
 * @param {Promise<void>} start the timer waits for this (plotly.js loaded)
 * @param {AbortSignal} signal
 */
export function bindPlayer(model, store, button, goTo, start, signal) {
  let timer = null;
  let due = 0; // when the next frame is due (performance.now() ms)
  let started = false;
  const period = () => 1000 / Math.max(0.1, model.get("fps") || 5);
  const stop = () => {
    model.set("playing", false);
    model.save_changes();
  };

  function prefetchAhead() {
    const list = epochList(model);
    const i = indexOf(list, model.get("epoch"));
    for (let k = 1; k <= AHEAD && i + k < list.length; k++) {
      if (!store.has(list[i + k])) store.fetch(list[i + k]).catch(() => {});
    }
  }

  function tick() {
    timer = null;
    if (!model.get("playing") || signal.aborted) return;
    const list = epochList(model);
    const i = indexOf(list, model.get("epoch"));
    if (i >= list.length - 1 && !model.get("repeat")) return stop();
    const next = list[(i + 1) % list.length];
    store.fetch(next).then(() => {
      if (!model.get("playing") || signal.aborted) return;
      goTo(next);
      prefetchAhead();
      const now = performance.now();
      due = now - due > period() ? now + period() : due + period(); // fell behind: restart
      timer = setTimeout(tick, Math.max(0, due - now));
    }, () => signal.aborted || stop());
  }

  function sync() {
    const playing = model.get("playing");
    button.textContent = playing ? "Pause" : "Play";
    button.classList.toggle("vzw-active", playing);
    if (!started || signal.aborted) return;
    if (playing && timer === null) {
      prefetchAhead();
      due = performance.now() + period();
      timer = setTimeout(tick, period());
    } else if (!playing && timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  button.addEventListener("click", () => {
    model.set("playing", !model.get("playing"));
    model.save_changes();
  }, { signal });
  observe(model, "change:playing change:fps", sync, signal);
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  sync();
  start.then(() => {
    started = true;
    sync();
  });
}
