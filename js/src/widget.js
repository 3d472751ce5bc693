// ExportWidget front end: epoch navigation + live Plotly preview + export/animate controls.
// State lives in synced traits (see model.js); figures and plotly.js arrive as binary messages.
import { bindControls, buildControls } from "./controls.js";
import { FigureStore } from "./figure_store.js";
import { buildFilters } from "./filters.js";
import { MSG, pageKind } from "./model.js";
import { bindNav } from "./nav.js";
import { Player, bindPlayButton } from "./player.js";
import { createPreview } from "./preview.js";

/** @typedef {import("./model.js").Model} Model */

// The default export is a factory: anywidget calls it once per model (then `initialize` once
// and `render` once per view), so its closure is the model's state, shared by all the model's
// views. Keying a Map by `model` would not work: anywidget hands `initialize` and each
// `render` a different proxy of the same model.
/** @type {import("@anywidget/types").AnyWidget<Model>} */
export default () => {
  /** @type {FigureStore} figures and pending requests of this model */
  let store;
  /** @type {Player} the model's playback, one for all its views */
  let player;
  return {
    initialize({ model }) {
      store = new FigureStore(model);
      player = new Player(model, store);
      return () => {
        player.dispose();
        store.dispose();
      };
    },
    render({ model, el }) {
      const lifetime = new AbortController();
      const { signal } = lifetime;
      const ui = buildControls();
      el.classList.add("vizwidget");
      el.append(ui.root);
      const filters = buildFilters(model, signal); // a Dashboard over runs with hyperparameters
      if (filters) ui.root.insertBefore(filters, ui.stage);
      Object.assign(ui.root, { vizwidgetStore: store }); // for tests, benchmarks: cache, stats
      const preview = createPreview(model, store, ui, signal);
      bindNav(model, ui, preview.goTo, signal);
      bindPlayButton(model, player, ui.play, preview.ready, signal);
      bindControls(model, ui, signal);
      model.send({ type: MSG.page, page: pageKind() });
      return () => {
        lifetime.abort(); // removes every listener and timer added above, purges the plot
        ui.root.remove();
      };
    },
  };
};
