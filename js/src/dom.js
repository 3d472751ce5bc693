// Tiny DOM helpers: no framework, so the bundle stays a few kilobytes.
import { observe } from "./model.js";

/**
 * Create an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props] properties (className, title, …); unknown keys become
 *   attributes
 * @param {(Node|string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key in el) el[key] = value;
    else el.setAttribute(key, value);
  }
  for (const child of children) el.append(child);
  return el;
}

/** Fill a <select> with options, keeping `value` selected. */
export function setOptions(select, values, value) {
  const current = [...select.options].map((o) => o.value).join("\u0000");
  if (current !== values.join("\u0000")) {
    select.replaceChildren(...values.map((v) => h("option", { value: v, textContent: v || "—" })));
  }
  select.value = value;
}

/** The string of a number box as a number; NaN when empty. */
export const num = (s) => (s.trim() === "" ? Number.NaN : Number(s));

/**
 * Two-way bind a form control to a model trait until `signal` aborts.
 * A model change never overwrites what the user is typing; once the value is committed
 * (Enter, blur, a pick) the control shows the trait again, as Python validated it.
 * @param {import("./model.js").WidgetModel} model
 * @param {HTMLInputElement|HTMLSelectElement} input
 * @param {keyof import("./model.js").Model} trait
 * @param {(s: string) => any} parse turns the control's value into the trait value
 * @param {AbortSignal} signal
 */
export function bind(model, input, trait, parse, signal) {
  let editing = false; // typed, not committed yet
  const pull = () => {
    if (!editing) input.value = String(model.get(trait));
  };
  const push = () => {
    editing = false;
    const value = parse(input.value);
    if (value !== undefined && !Number.isNaN(value)) {
      model.set(trait, value);
      model.save_changes();
    }
    pull();
  };
  input.addEventListener("input", () => (editing = true), { signal });
  input.addEventListener("change", push, { signal });
  observe(model, `change:${trait}`, pull, signal);
  pull();
}

/** The JupyterLab `files/` URL of an absolute path under the server root, or null. */
export function filesUrl(path) {
  const config = document.getElementById("jupyter-config-data");
  if (!config || !path) return null;
  let page;
  try {
    page = JSON.parse(config.textContent);
  } catch {
    return null;
  }
  const root = (page.serverRoot || "").replace(/\\/g, "/").replace(/\/+$/, "");
  const file = path.replace(/\\/g, "/");
  if (!root || !file.startsWith(`${root}/`)) return null;
  const rel = file.slice(root.length + 1).split("/").map(encodeURIComponent).join("/");
  const base = (page.baseUrl || "/").replace(/\/?$/, "/");
  return `${base}files/${rel}`;
}
