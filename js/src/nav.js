// Epoch navigation: ◀ ▶ buttons, the slider and the "epoch N (i/n)" label. Every move goes
// through `goTo`, so the preview follows.
import { epochList, indexOf, stepFrom } from "./epochs.js";
import { observe } from "./model.js";

/**
 * @param {import("./model.js").WidgetModel} model
 * @param {Record<string, HTMLElement|any>} ui the elements built by `buildControls`
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
  // Keys pressed in the widget are ours: JupyterLab's notebook shortcuts (arrows, digits)
  // would otherwise swallow them. Escape still leaves for the notebook's command mode.
  listen(ui.root, "keydown", (e) => {
    if (e.key !== "Escape") e.stopPropagation();
  });
  observe(model, "change:epoch change:epochs change:static", sync, signal);
  sync();
}
