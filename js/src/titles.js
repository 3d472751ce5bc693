// Panel titles of a dashboard grid, drawn as HTML labels over the plot. plotly.js draws an
// annotation twice per redraw (once to measure it for autorange), about a tenth of a 2x2
// grid's redraw; a label is the same text at the same place for nearly nothing. Files keep
// the titles as annotations.
const PREFIX = "vizwidget-panel-";

/**
 * Take the panel titles out of a layout (a copy of its annotations stays with the others).
 * @param {any} layout a figure layout, changed in place
 * @returns {any[]} the title annotations, in panel order
 */
export function takeTitles(layout) {
  const all = layout.annotations || [];
  const titles = all.filter((a) => String(a?.name ?? "").startsWith(PREFIX));
  if (titles.length) layout.annotations = all.filter((a) => !titles.includes(a));
  return titles;
}

/**
 * The text plotly.js would show for an annotation's (HTML-escaped) text, as plain text.
 * DOMParser documents run no scripts and load nothing.
 * @param {unknown} text
 */
export function plainText(text) {
  const html = String(text ?? "").replace(/<br\s*\/?>/gi, " ");
  return new DOMParser().parseFromString(html, "text/html").documentElement.textContent ?? "";
}

/**
 * Show `titles` (paper-placed, left/top anchored annotations) as labels in `box`, placed by
 * the plot area of the drawn plot `gd` (kept where they were while it has none yet).
 * @param {HTMLElement} box
 * @param {any} gd
 * @param {any[]} titles
 */
export function showTitles(box, gd, titles) {
  while (box.children.length > titles.length) box.lastChild?.remove();
  while (box.children.length < titles.length) box.append(document.createElement("div"));
  const full = gd._fullLayout;
  titles.forEach((a, i) => {
    const el = /** @type {HTMLElement} */ (box.children[i]);
    el.textContent = plainText(a.text);
    el.title = a.hovertext ? plainText(a.hovertext) : "";
    if (!full?._size) return;
    const { l, t, w, h } = full._size;
    el.style.left = `${l + a.x * w}px`;
    el.style.top = `${t + (1 - a.y) * h}px`;
    el.style.fontFamily = a.font?.family ?? full.font.family;
    el.style.fontSize = `${a.font?.size ?? full.font.size}px`;
    el.style.color = a.font?.color ?? full.font.color;
  });
}
