// The widget's DOM, and the controls that mirror traits: export options, job status and
// progress, the link to the last written file. Epoch navigation lives in nav.js, the Play
// button in player.js, the plot in preview.js.
import { bind, filesUrl, h, num, setOptions } from "./dom.js";
import { MSG, STILL_IMAGE, observe } from "./model.js";

/** Build the elements of one view; returns them by name (`root` holds them all). */
export function buildControls() {
  const ui = {};
  const button = (cls, textContent, title = "") =>
    h("button", { className: `vzw-btn ${cls}`.trim(), textContent, title });
  const numberInput = (cls, title, step) =>
    h("input", { type: "number", className: `vzw-num ${cls}`, title, min: 0, step });
  ui.prev = button("", "◀", "Previous epoch");
  ui.next = button("", "▶", "Next epoch");
  ui.play = button("vzw-play", "Play", "Play");
  ui.slider = h("input", { type: "range", className: "vzw-slider", min: 0, step: 1 });
  ui.epochBox = h("input", { type: "number", className: "vzw-num vzw-epoch-input", step: 1,
    title: "Epoch (snaps to the nearest one there is)" });
  ui.label = h("span", { className: "vzw-epoch" });
  ui.format = h("select", { className: "vzw-format", title: "Still format" });
  ui.animFormat = h("select", { className: "vzw-anim-format", title: "Animation format" });
  ui.theme = h("select", { className: "vzw-theme", title: "Theme" });
  ui.width = numberInput("vzw-width", "Width (px)", 1);
  ui.height = numberInput("vzw-height", "Height (px)", 1);
  ui.scale = numberInput("vzw-scale", "Scale", 0.5);
  ui.fps = numberInput("vzw-fps", "Frames per second", 1);
  ui.exportBtn = button("vzw-export", "Export");
  ui.animateBtn = button("vzw-animate", "Animate");
  ui.cancelBtn = button("vzw-cancel", "Cancel");
  ui.progress = h("progress", { className: "vzw-progress", max: 1, value: 0 });
  ui.status = h("span", { className: "vzw-status" });
  ui.frames = h("span", { className: "vzw-frames" });
  ui.link = h("a", { className: "vzw-link", target: "_blank", rel: "noopener" });
  ui.thumb = h("img", { className: "vzw-thumb", alt: "" });
  ui.plot = h("div", { className: "vzw-plot" });
  ui.message = h("div", { className: "vzw-message", textContent: "Loading plotly.js…" });
  ui.error = h("div", { className: "vzw-error", role: "alert" });
  ui.titles = h("div", { className: "vzw-titles" });
  ui.still = h("img", { className: "vzw-still", alt: "" });
  ui.stage = h("div", { className: "vzw-stage" },
    [ui.plot, ui.still, ui.titles, ui.message, ui.error]);
  const field = (text, input) => h("label", { className: "vzw-field" }, [text, input]);
  ui.nav = h("div", { className: "vzw-row vzw-nav" }, [
    ui.prev, ui.slider, ui.next, ui.epochBox, ui.play, ui.label]);
  ui.root = h("div", { className: "vzw-root", tabIndex: 0 }, [
    ui.nav,
    ui.stage,
    h("div", { className: "vzw-row vzw-export-row" }, [
      field("Format", ui.format), field("W", ui.width), field("H", ui.height),
      field("Scale", ui.scale), field("Theme", ui.theme), ui.exportBtn,
      h("span", { className: "vzw-sep" }), field("Animation", ui.animFormat),
      field("fps", ui.fps), ui.animateBtn, ui.cancelBtn]),
    h("div", { className: "vzw-row vzw-status-row" }, [ui.progress, ui.frames, ui.status]),
    h("div", { className: "vzw-row vzw-file-row" }, [ui.link, ui.thumb]),
  ]);
  return ui;
}

/** "12 s", "3 min 05 s": a short duration. */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** "frame 3/31 · 12 s left" while an animation runs, "" otherwise. */
export function framesText(frames, secondsLeft) {
  if (!Array.isArray(frames) || frames.length !== 2) return "";
  const [done, total] = frames;
  const left = secondsLeft >= 0 && done < total ? ` · ${duration(secondsLeft)} left` : "";
  return `frame ${done}/${total}${left}`;
}

/**
 * Keep the export controls, status and file link in step with the model until `signal`
 * aborts; the buttons send their custom messages.
 * @param {import("./model.js").WidgetModel} model
 * @param {ReturnType<typeof buildControls>} ui
 * @param {AbortSignal} signal
 */
export function bindControls(model, ui, signal) {
  function syncJob() {
    const busy = model.get("busy");
    ui.exportBtn.disabled = busy;
    ui.animateBtn.disabled = busy || model.get("static");
    ui.cancelBtn.disabled = !busy;
    ui.progress.value = model.get("progress") || 0;
    ui.progress.style.visibility = busy || model.get("progress") > 0 ? "visible" : "hidden";
    ui.status.textContent = model.get("status") || "";
    ui.frames.textContent = framesText(model.get("frames"), model.get("seconds_left"));
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
  function syncChoices() {
    setOptions(ui.format, model.get("_formats"), model.get("format"));
    setOptions(ui.animFormat, model.get("_animation_formats"), model.get("animation_format"));
    setOptions(ui.theme, model.get("_themes"), model.get("theme"));
  }

  observe(model, "change:busy change:progress change:status change:static change:frames " +
    "change:seconds_left", syncJob, signal);
  observe(model, "change:last_file", syncFile, signal);
  observe(model, "change:_formats change:_animation_formats change:_themes", syncChoices,
    signal);
  bind(model, ui.format, "format", String, signal);
  bind(model, ui.animFormat, "animation_format", String, signal);
  bind(model, ui.theme, "theme", String, signal);
  const integer = (s) => Math.round(num(s));
  bind(model, ui.width, "width", integer, signal);
  bind(model, ui.height, "height", integer, signal);
  bind(model, ui.scale, "scale", num, signal);
  bind(model, ui.fps, "fps", num, signal);
  const sends = (btn, type) =>
    btn.addEventListener("click", () => model.send({ type }), { signal });
  sends(ui.exportBtn, MSG.export);
  sends(ui.animateBtn, MSG.animate);
  sends(ui.cancelBtn, MSG.cancel);
  syncChoices();
  syncJob();
  syncFile();
}
