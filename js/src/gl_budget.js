// A WebGL budget per page: browsers keep about 16 live WebGL contexts and drop the oldest
// beyond that, so however many widgets a page holds, at most MAX_PLOTS plots (and
// MAX_CONTEXTS contexts: a 3-D grid holds one per scene) keep theirs. When a plot needs
// room, the plots out of view, then the least recently used, give their contexts back and
// show their figure as an image; they redraw when they come (back) into view.

export const MAX_PLOTS = 8;
export const MAX_CONTEXTS = 12;
/** Trace types drawn with WebGL. */
export const GL_TYPES = new Set(["scattergl", "splom", "pointcloud", "heatmapgl",
  "scatterpolargl", "parcoords", "scatter3d", "surface", "mesh3d", "cone", "streamtube",
  "volume", "isosurface", "scattermapbox", "choroplethmapbox", "densitymapbox",
  "scattermap", "choroplethmap", "densitymap"]);
const GL3D = new Set(["scatter3d", "surface", "mesh3d", "cone", "streamtube", "volume",
  "isosurface"]);
/** Contexts a 2-D WebGL plot holds (plotly.js draws its gl traces on three canvases). */
const GL2D_CONTEXTS = 3;

/** Contexts a figure will need: one per 3-D scene or map, a few for 2-D WebGL traces. */
export function contextsFor(data) {
  const scenes = new Set();
  let flat = false;
  for (const trace of data || []) {
    const type = trace?.type;
    if (!GL_TYPES.has(type)) continue;
    if (GL3D.has(type)) scenes.add(trace.scene || "scene");
    else if (type.includes("map")) scenes.add(trace.subplot || "map");
    else flat = true;
  }
  return scenes.size + (flat ? GL2D_CONTEXTS : 0);
}

/**
 * Live plots by least recent use; a plot asks for room before it draws with WebGL.
 * An entry is any object with `sleep()` (give the contexts back) and `inView` (false when
 * it is out of the viewport: such entries are put to sleep first).
 */
export class GlBudget {
  constructor(maxPlots = MAX_PLOTS, maxContexts = MAX_CONTEXTS) {
    this.maxPlots = maxPlots;
    this.maxContexts = maxContexts;
    /** @type {Map<{sleep: () => void}, number>} entry -> contexts, oldest use first */
    this.live = new Map();
  }

  get contexts() {
    let n = 0;
    for (const weight of this.live.values()) n += weight;
    return n;
  }

  /** `entry` is about to hold `weight` contexts: put the least recently used to sleep. */
  admit(entry, weight) {
    this.live.delete(entry);
    if (weight <= 0) return;
    const over = () => this.live.size + 1 > this.maxPlots ||
      this.contexts + weight > this.maxContexts;
    const oldest = [...this.live.keys()];
    const victims = [...oldest.filter((e) => e.inView === false),
      ...oldest.filter((e) => e.inView !== false)]; // plots out of view go first
    for (const other of victims) {
      if (!over()) break;
      this.live.delete(other);
      other.sleep();
    }
    this.live.set(entry, weight);
  }

  /** Whether `entry` (out of view) fits once every other plot out of view has slept. */
  roomOutOfView(entry, weight) {
    if (weight <= 0) return true;
    let plots = 1;
    let contexts = weight;
    for (const [other, w] of this.live) {
      if (other === entry || other.inView === false) continue;
      plots += 1;
      contexts += w;
    }
    return plots <= this.maxPlots && contexts <= this.maxContexts;
  }

  /** `entry` was used (drawn, hovered): it is the most recent now. */
  touch(entry) {
    const weight = this.live.get(entry);
    if (weight === undefined) return;
    this.live.delete(entry);
    this.live.set(entry, weight);
  }

  release(entry) {
    this.live.delete(entry);
  }
}

/** One budget for every widget view on the page (every bundle copy shares it). */
export function pageBudget() {
  const slot = (globalThis.__vizwidget__ ??= { plotly: undefined, loads: 0 });
  slot.glBudget ??= new GlBudget();
  return slot.glBudget;
}

/**
 * Lose the WebGL contexts of the canvases under `el` now, rather than when garbage collected
 * (the browser counts a context as live until then).
 */
export function loseContexts(el) {
  for (const canvas of el.querySelectorAll("canvas")) {
    for (const kind of ["webgl2", "webgl", "experimental-webgl"]) {
      const ctx = contexts.get(canvas)?.[kind];
      if (ctx && !ctx.isContextLost()) ctx.getExtension("WEBGL_lose_context")?.loseContext();
    }
  }
}

// The WebGL contexts plotly.js creates, by canvas: getContext hands back the same context
// for the same kind, so recording it here never creates one.
const contexts = (globalThis.__vizwidgetGlContexts ??= new WeakMap());
if (typeof HTMLCanvasElement !== "undefined" && !HTMLCanvasElement.prototype.__vzwTracked) {
  const original = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function getContext(kind, ...rest) {
    const ctx = original.call(this, kind, ...rest);
    if (ctx && /webgl/.test(String(kind))) {
      const known = contexts.get(this) || {};
      known[kind] = ctx;
      contexts.set(this, known);
    }
    return ctx;
  };
  HTMLCanvasElement.prototype.__vzwTracked = true;
}
