// Epoch navigation: ◀ ▶ buttons, the slider, the "epoch N (i/n)" label, a box to type an
// epoch in, and the arrow keys. Every move goes through `goTo`, so the preview follows.
import { bind, num } from "./dom.js";
import { epochList, indexOf, nearest, stepFrom } from "./epochs.js";
import { observe } from "./model.js";

/** Controls where the arrow keys already mean something (caret, spin). */
const KEEPS_ARROWS = new Set(["INPUT", "SELECT", "TEXTAREA"]);

/** ← or → without a modifier. */
const isArrow = (e) => (e.key === "ArrowLeft" || e.key === "ArrowRight") && !e.altKey &&
  !e.ctrlKey && !e.metaKey;

/**
 * @param {import("./model.js").WidgetModel} model
 * @param {ReturnType<typeof import("./controls.js").buildControls>} ui
 * @param {(epoch: number) => void} goTo
 * @param {AbortSignal} signal
 */
export function bindNav(model, ui, goTo, signal) {
  const listen = (el, type, fn) => el.addEventListener(type, fn, { signal });
  const step = (delta) => {
    const epoch = stepFrom(model, delta);
    if (epoch !== undefined) goTo(epoch);
  };

  function sync() {
    const list = epochList(model);
    const epoch = model.get("epoch");
    const i = indexOf(list, epoch);
    const isStatic = model.get("static");
    ui.nav.style.display = isStatic ? "none" : "";
    ui.slider.max = String(Math.max(0, list.length - 1));
    ui.slider.disabled = list.length < 2;
    if (document.activeElement !== ui.slider || Number(ui.slider.value) !== i) {
      ui.slider.value = String(i);
    }
    ui.label.textContent = isStatic
      ? ""
      : `epoch ${epoch}  (${list.length ? i + 1 : 0}/${list.length})`;
  }

  listen(ui.slider, "input", () => {
    const epoch = epochList(model)[Number(ui.slider.value)];
    if (epoch !== undefined) goTo(epoch);
  });
  listen(ui.prev, "click", () => step(-1));
  listen(ui.next, "click", () => step(1));
  // A typed epoch snaps to the nearest one there is (as Python's validator does); the box
  // then shows the snapped value.
  bind(model, ui.epochBox, "epoch", (s) => nearest(epochList(model), num(s)), signal);
  // Keys pressed in the widget's controls are ours: JupyterLab's notebook shortcuts (arrows,
  // digits) would otherwise swallow them. Escape still leaves for the notebook's command mode,
  // and with only the widget's background focused, keys other than ← → (Shift+Enter…) reach
  // the notebook. ← → step through the epochs wherever the focus is in the widget (the
  // slider too), except in controls that use the arrows themselves (boxes move the caret).
  listen(ui.root, "keydown", (e) => {
    if (e.key === "Escape") return;
    const arrow = isArrow(e);
    if (e.target !== ui.root || arrow) e.stopPropagation();
    const ours = e.target === ui.slider || !KEEPS_ARROWS.has(e.target.tagName);
    if (arrow && ours && !model.get("static")) {
      e.preventDefault();
      step(e.key === "ArrowLeft" ? -1 : 1);
    }
  });
  // ← → on the focused slider are marked handled before the page sees them: a host that
  // binds the arrows in the capture phase (Notebook 7) would otherwise take them, and lumino
  // leaves handled events alone. The slider's own step is prevented with it; the listener
  // on the root below steps instead, once the event arrives there.
  window.addEventListener("keydown", (e) => {
    if (e.target === ui.slider && isArrow(e)) e.preventDefault();
  }, { capture: true, signal });
  observe(model, "change:epoch change:epochs change:static", sync, signal);
  sync();
}
