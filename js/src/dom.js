// Tiny DOM helpers: no framework, so the bundle stays a few kilobytes.

/**
 * Create an element.
 * @param {string} tag
 * @param {Record<string, any>} [props] properties (className, title, …); "dataset" and "on*"
 *   handled specially
 * @param {(Node|string)[]} [children]
 */
export function h(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key in el) el[key] = value;
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

/**
 * Two-way bind a form control to a model trait.
 * @param {any} model
 * @param {HTMLInputElement|HTMLSelectElement} input
 * @param {string} trait
 * @param {(s: string) => any} parse turns the control's value into the trait value
 * @returns {() => void} unbind
 */
export function bind(model, input, trait, parse = (s) => s) {
  const pull = () => {
    if (document.activeElement !== input || input.tagName === "SELECT") {
      input.value = String(model.get(trait));
    }
  };
  const push = () => {
    const value = parse(input.value);
    if (value === undefined || Number.isNaN(value)) return pull();
    model.set(trait, value);
    model.save_changes();
  };
  input.addEventListener("change", push);
  model.on(`change:${trait}`, pull);
  pull();
  return () => model.off(`change:${trait}`, pull);
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
