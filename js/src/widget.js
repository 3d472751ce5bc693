// ExportWidget front end: epoch slider + live Plotly preview + export/animate controls.
// State lives in synced traits (see model.js); figures and plotly.js arrive as binary messages.
import { bind, filesUrl, h, setOptions } from "./dom.js";
import { storeFor } from "./figure_store.js";
import { MSG, STILL_IMAGE } from "./model.js";
import { loadPlotly } from "./plotly_loader.js";

const PLOT_CONFIG = { responsive: true, displaylogo: false, displayModeBar: "hover" };
const EVENT_KINDS = { plotly_click: "click", plotly_hover: "hover", plotly_selected: "select" };
const num = (s) => (s.trim() === "" ? Number.NaN : Number(s));

/** Points of a Plotly event, reduced to what Python needs. */
function points(ev) {
  return (ev?.points || []).map((p) => ({
    trace: p.curveNumber,
    point: p.pointNumber ?? p.pointIndex ?? null,
    x: p.x ?? null,
    y: p.y ?? null,
    z: p.z ?? null,
    customdata: p.customdata ?? null,
    text: p.text ?? null,
  }));
}

/** A figure ready for the preview: fitted to its box, zoom kept across epochs. */
function forPreview(fig) {
  const layout = { ...(fig.layout || {}), autosize: true };
  delete layout.width;
  delete layout.height;
  layout.uirevision ??= "vizwidget";
  return { data: (fig.data || []).map((t) => ({ ...t })), layout, frames: undefined };
}

function controls(model) {
  const ui = {};
  ui.prev = h("button", { className: "vzw-btn", textContent: "◀", title: "Previous epoch" });
  ui.next = h("button", { className: "vzw-btn", textContent: "▶", title: "Next epoch" });
  ui.play = h("button", { className: "vzw-btn vzw-play", textContent: "Play", title: "Play" });
  ui.slider = h("input", { type: "range", className: "vzw-slider", min: 0, step: 1 });
  ui.label = h("span", { className: "vzw-epoch" });
  ui.format = h("select", { className: "vzw-format", title: "Still format" });
  ui.animFormat = h("select", { className: "vzw-anim-format", title: "Animation format" });
  ui.theme = h("select", { className: "vzw-theme", title: "Theme" });
  const numberInput = (cls, title, step) =>
    h("input", { type: "number", className: `vzw-num ${cls}`, title, min: 0, step });
  ui.width = numberInput("vzw-width", "Width (px)", 1);
  ui.height = numberInput("vzw-height", "Height (px)", 1);
  ui.scale = numberInput("vzw-scale", "Scale", 0.5);
  ui.fps = numberInput("vzw-fps", "Frames per second", 1);
  ui.exportBtn = h("button", { className: "vzw-btn vzw-export", textContent: "Export" });
  ui.animateBtn = h("button", { className: "vzw-btn vzw-animate", textContent: "Animate" });
  ui.cancelBtn = h("button", { className: "vzw-btn vzw-cancel", textContent: "Cancel" });
  ui.progress = h("progress", { className: "vzw-progress", max: 1, value: 0 });
  ui.status = h("span", { className: "vzw-status" });
  ui.link = h("a", { className: "vzw-link", target: "_blank", rel: "noopener" });
  ui.thumb = h("img", { className: "vzw-thumb", alt: "" });
  ui.plot = h("div", { className: "vzw-plot" });
  ui.message = h("div", { className: "vzw-message", textContent: "Loading plotly.js…" });
  ui.error = h("div", { className: "vzw-error", role: "alert" });
  const field = (text, input) => h("label", { className: "vzw-field" }, [text, input]);
  ui.nav = h("div", { className: "vzw-row vzw-nav" }, [
    ui.prev, ui.slider, ui.next, ui.play, ui.label]);
  ui.root = h("div", { className: "vzw-root" }, [
    ui.nav,
    h("div", { className: "vzw-stage" }, [ui.plot, ui.message, ui.error]),
    h("div", { className: "vzw-row vzw-export-row" }, [
      field("Format", ui.format), field("W", ui.width), field("H", ui.height),
      field("Scale", ui.scale), field("Theme", ui.theme), ui.exportBtn,
      h("span", { className: "vzw-sep" }), field("Animation", ui.animFormat),
      field("fps", ui.fps), ui.animateBtn, ui.cancelBtn]),
    h("div", { className: "vzw-row vzw-status-row" }, [ui.progress, ui.status]),
    h("div", { className: "vzw-row vzw-file-row" }, [ui.link, ui.thumb]),
  ]);
  return ui;
}

function render({ model, el }) {
  const ui = controls(model);
  const store = storeFor(model);
  el.classList.add("vizwidget");
  el.append(ui.root);
  ui.root.vizwidgetStore = store; // for inspection (tests, benchmarks): cache and stats
  const cleanups = [];
  let Plotly = null;
  let drawn = null; // epoch drawn in the plot
  let wanted = null; // epoch the user asked for last
  let fetching = false; // at most one slider fetch in flight; the latest wish wins
  let destroyed = false;
  let renderFailed = false; // the error shown came from a renderer, clear it on the next draw

  const epochs = () => model.get("epochs") || [];
  const indexOf = (epoch) => {
    const list = epochs();
    const i = list.indexOf(epoch);
    return i >= 0 ? i : 0;
  };

  function showError(text) {
    ui.error.textContent = text || "";
    ui.error.style.display = text ? "block" : "none";
  }
  function showMessage(text) {
    ui.message.textContent = text || "";
    ui.message.style.display = text ? "flex" : "none";
  }

  async function draw(epoch, fig) {
    if (destroyed || !Plotly) return;
    const { data, layout } = forPreview(fig);
    drawn = epoch;
    prefetchNeighbours(epoch); // the kernel works on them while this one is drawn
    ui.plot.dataset.epoch = String(epoch);
    await Plotly.react(ui.plot, data, layout, PLOT_CONFIG);
    showMessage("");
    if (renderFailed) {
      renderFailed = false;
      showError("");
      if (model.get("error")) {
        model.set("error", "");
        model.save_changes();
      }
    }
  }

  // ---- prefetch: after a visit, the neighbours (slider direction first) into the cache ----
  let direction = 1;
  let lastIndex = null;
  function prefetchNeighbours(epoch) {
    if (!model.get("prefetch") || model.get("playing")) return;
    const list = epochs();
    const i = list.indexOf(epoch);
    if (i < 0) return;
    for (const j of [i + direction, i - direction]) {
      if (j >= 0 && j < list.length && !store.has(list[j]) && !store.pending.has(list[j])) {
        store.fetch(list[j], { prefetch: true }).catch(() => {});
      }
    }
  }

  /** Draw `epoch`: at once when cached, else fetch it (one request at a time, latest wins). */
  function show(epoch) {
    wanted = epoch;
    const index = epochs().indexOf(epoch);
    if (index >= 0 && lastIndex !== null && index !== lastIndex) {
      direction = index > lastIndex ? 1 : -1;
    }
    if (index >= 0) lastIndex = index;
    if (!Plotly || destroyed) return;
    const cached = store.peek(epoch);
    if (cached) {
      if (drawn !== epoch || ui.plot.dataset.generation !== String(store.generation)) {
        ui.plot.dataset.generation = String(store.generation);
        draw(epoch, cached);
      }
      return;
    }
    if (fetching) return;
    fetching = true;
    store.fetch(epoch).then(
      () => {
        fetching = false;
        show(wanted);
      },
      (err) => {
        fetching = false;
        renderFailed = true;
        showError(err.message);
        ui.plot.dataset.failedEpoch = String(err.epoch ?? epoch);
        if (wanted !== epoch) show(wanted);
      },
    );
  }

  function setEpoch(epoch) {
    if (epoch === model.get("epoch")) return show(epoch);
    model.set("epoch", epoch);
    model.save_changes();
  }
  function step(delta) {
    const list = epochs();
    if (!list.length) return;
    let i = indexOf(model.get("epoch")) + delta;
    if (i >= list.length) i = model.get("repeat") ? 0 : list.length - 1;
    if (i < 0) i = model.get("repeat") ? list.length - 1 : 0;
    setEpoch(list[i]);
  }

  // ---- play: advance at fps; wait (never skip) when the next figure is not cached yet ----
  let playTimer = null;
  function prefetchAhead(n = 3) {
    const list = epochs();
    const i = indexOf(model.get("epoch"));
    for (let k = 1; k <= n && i + k < list.length; k++) {
      if (!store.has(list[i + k])) store.fetch(list[i + k]).catch(() => {});
    }
  }
  let due = 0; // when the next frame is due (performance.now() ms)
  function tick() {
    playTimer = null;
    if (!model.get("playing") || destroyed) return;
    const list = epochs();
    const i = indexOf(model.get("epoch"));
    if (i >= list.length - 1 && !model.get("repeat")) {
      model.set("playing", false);
      model.save_changes();
      return;
    }
    const next = list[(i + 1) % list.length];
    const period = 1000 / Math.max(0.1, model.get("fps") || 5);
    store.fetch(next).then(
      () => {
        if (!model.get("playing") || destroyed) return;
        setEpoch(next);
        prefetchAhead();
        const now = performance.now();
        due = now - due > period ? now + period : due + period; // fell behind: restart clock
        playTimer = setTimeout(tick, Math.max(0, due - now));
      },
      () => {
        model.set("playing", false);
        model.save_changes();
      },
    );
  }
  function syncPlaying() {
    const playing = model.get("playing");
    ui.play.textContent = playing ? "Pause" : "Play";
    ui.play.classList.toggle("vzw-active", playing);
    if (playing && playTimer === null) {
      prefetchAhead();
      const period = 1000 / Math.max(0.1, model.get("fps") || 5);
      due = performance.now() + period;
      playTimer = setTimeout(tick, period);
    } else if (!playing && playTimer !== null) {
      clearTimeout(playTimer);
      playTimer = null;
    }
  }

  // ---- model → view ----
  function syncEpochs() {
    const list = epochs();
    const isStatic = model.get("static");
    ui.nav.style.display = isStatic ? "none" : "";
    ui.slider.max = String(Math.max(0, list.length - 1));
    ui.slider.disabled = list.length < 2;
    ui.animateBtn.disabled = isStatic || model.get("busy");
    syncEpoch();
  }
  function syncEpoch() {
    const epoch = model.get("epoch");
    const list = epochs();
    const i = indexOf(epoch);
    if (document.activeElement !== ui.slider || Number(ui.slider.value) !== i) {
      ui.slider.value = String(i);
    }
    ui.label.textContent = model.get("static")
      ? ""
      : `epoch ${epoch}  (${list.length ? i + 1 : 0}/${list.length})`;
    show(epoch);
  }
  function syncJob() {
    const busy = model.get("busy");
    ui.exportBtn.disabled = busy;
    ui.animateBtn.disabled = busy || model.get("static");
    ui.cancelBtn.disabled = !busy;
    ui.progress.value = model.get("progress") || 0;
    ui.progress.style.visibility = busy || model.get("progress") > 0 ? "visible" : "hidden";
    ui.status.textContent = model.get("status") || "";
    ui.root.dataset.busy = busy ? "1" : "0";
  }
  function syncFile() {
    const path = model.get("last_file");
    const href = filesUrl(path);
    ui.link.textContent = path ? path.split(/[\\/]/).pop() : "";
    ui.link.title = path;
    ui.link.dataset.path = path;
    if (href) ui.link.href = href;
    else ui.link.removeAttribute("href");
    const ext = path.split(".").pop().toLowerCase();
    const image = href && STILL_IMAGE.includes(ext === "jpg" ? "jpeg" : ext);
    ui.thumb.style.display = image ? "" : "none";
    if (image) ui.thumb.src = `${href}?t=${Date.now()}`;
  }
  function syncError() {
    showError(model.get("error"));
  }
  function syncChoices() {
    setOptions(ui.format, model.get("_formats"), model.get("format"));
    setOptions(ui.animFormat, model.get("_animation_formats"), model.get("animation_format"));
    setOptions(ui.theme, model.get("_themes"), model.get("theme"));
  }
  ui.stage = ui.plot.parentElement;
  const syncHeight = () => {
    ui.stage.style.height = `${model.get("preview_height")}px`;
  };

  const listeners = {
    "change:epochs change:static": syncEpochs,
    "change:epoch": syncEpoch,
    "change:playing change:fps": syncPlaying,
    "change:busy change:progress change:status": syncJob,
    "change:last_file": syncFile,
    "change:error": syncError,
    "change:_formats change:_animation_formats change:_themes change:format": syncChoices,
    "change:animation_format change:theme": syncChoices,
    "change:preview_height": syncHeight,
  };
  for (const [events, fn] of Object.entries(listeners)) {
    model.on(events, fn);
    cleanups.push(() => model.off(events, fn));
  }
  const onInvalidate = () => {
    drawn = null;
    show(model.get("epoch"));
  };
  store.listeners.add(onInvalidate);
  cleanups.push(() => store.listeners.delete(onInvalidate));

  // ---- view → model ----
  // Keys typed in the controls are ours: JupyterLab's notebook shortcuts (arrows, digits)
  // would otherwise swallow them.
  ui.root.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" && e.target !== ui.plot) e.stopPropagation();
  });
  ui.slider.addEventListener("input", () => {
    const list = epochs();
    const epoch = list[Number(ui.slider.value)];
    if (epoch !== undefined) setEpoch(epoch);
  });
  ui.prev.addEventListener("click", () => step(-1));
  ui.next.addEventListener("click", () => step(1));
  ui.play.addEventListener("click", () => {
    model.set("playing", !model.get("playing"));
    model.save_changes();
  });
  ui.exportBtn.addEventListener("click", () => model.send({ type: MSG.export }));
  ui.animateBtn.addEventListener("click", () => model.send({ type: MSG.animate }));
  ui.cancelBtn.addEventListener("click", () => model.send({ type: MSG.cancel }));
  for (const [input, trait] of [[ui.format, "format"], [ui.animFormat, "animation_format"],
    [ui.theme, "theme"]]) {
    cleanups.push(bind(model, input, trait));
  }
  cleanups.push(bind(model, ui.width, "width", (s) => Math.round(num(s))));
  cleanups.push(bind(model, ui.height, "height", (s) => Math.round(num(s))));
  cleanups.push(bind(model, ui.scale, "scale", num));
  cleanups.push(bind(model, ui.fps, "fps", num));

  syncChoices();
  syncHeight();
  syncJob();
  syncFile();
  syncError();
  syncEpochs();

  // ---- plot: load plotly.js once per page, then draw and forward events ----
  loadPlotly(model).then(
    (P) => {
      if (destroyed) return;
      Plotly = P;
      ui.plot.dataset.ready = "1";
      show(model.get("epoch"));
      syncPlaying();
    },
    (err) => showMessage(err.message),
  );
  let eventsBound = false;
  const bindEvents = () => {
    if (eventsBound || typeof ui.plot.on !== "function") return;
    eventsBound = true;
    for (const [plotlyName, kind] of Object.entries(EVENT_KINDS)) {
      let last = 0;
      ui.plot.on(plotlyName, (ev) => {
        if (!(model.get("_events") || []).includes(kind)) return;
        const now = performance.now();
        if (kind === "hover" && now - last < 50) return; // hover is throttled
        last = now;
        model.send({ type: MSG.event, kind, epoch: drawn, points: points(ev) });
      });
    }
  };
  const observer = new MutationObserver(bindEvents);
  observer.observe(ui.plot, { childList: true });
  const resize = new ResizeObserver(() => {
    if (Plotly && drawn !== null && ui.plot.offsetWidth > 0) Plotly.Plots.resize(ui.plot);
  });
  resize.observe(ui.plot);

  return () => {
    destroyed = true;
    if (playTimer !== null) clearTimeout(playTimer);
    observer.disconnect();
    resize.disconnect();
    for (const fn of cleanups) fn();
    if (Plotly) Plotly.purge(ui.plot);
  };
}

export default { render };
