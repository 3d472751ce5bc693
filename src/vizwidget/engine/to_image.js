// Plotly.toImage for figures with 3-D scenes, without plotly.js's fixed 500 ms wait.
//
// plotly.js waits 500 ms after drawing a 3-D scene before it reads the image back, though
// reading it redraws the scene first. This page draws, reads and encodes the same way
// (newPlot, Snapshot.toSVG, Snapshot.svgToImg) with no wait. Other figures, and scenes
// beside maps (whose tiles may still be loading), take plotly.js's own path.
(function () {
  const SCENE_TRACES = new Set(
    ["scatter3d", "surface", "mesh3d", "cone", "streamtube", "volume", "isosurface"]);
  const MAP_TRACES = /^(scatter|choropleth|density)(map|mapbox)$/;
  const FORMATS = new Set(["png", "jpeg", "webp", "svg"]);
  const IMAGE_PREFIX = /^data:image\/\w+;base64,/;
  const original = Plotly.toImage;

  function scenesOnly(figure) {
    const types = (figure.data || []).map((trace) => (trace && trace.type) || "scatter");
    return types.some((t) => SCENE_TRACES.has(t)) && !types.some((t) => MAP_TRACES.test(t));
  }

  async function sceneImage(figure, opts) {
    const gd = document.createElement("div");
    gd.style.position = "absolute";
    gd.style.left = "-5000px";
    document.body.appendChild(gd);
    const layout = Object.assign({}, figure.layout || {});
    if (opts.width) layout.width = opts.width;
    if (opts.height) layout.height = opts.height;
    const config = Object.assign({}, figure.config || {},
      {_exportedPlot: true, staticPlot: true, setBackground: opts.setBackground || false});
    const scale = opts.scale === undefined ? 1 : opts.scale;
    try {
      await Plotly.newPlot(gd, figure.data || [], layout, config);
      for (const trace of gd.calcdata || []) {  // as plotly.js's toImage does
        if (trace[0] && trace[0].t && trace[0].t.cb) trace[0].t.cb();
      }
      const svg = Plotly.Snapshot.toSVG(gd, opts.format, scale);
      const width = gd._fullLayout.width;
      const height = gd._fullLayout.height;
      Plotly.purge(gd);
      gd.remove();
      if (opts.format === "svg") {
        return opts.imageDataOnly ? svg : "data:image/svg+xml," + encodeURIComponent(svg);
      }
      const url = await Plotly.Snapshot.svgToImg({
        format: opts.format, width, height, scale, svg, promise: true,
        canvas: document.createElement("canvas"),
      });
      return opts.imageDataOnly ? url.replace(IMAGE_PREFIX, "") : url;
    } finally {
      if (gd.parentNode) {
        Plotly.purge(gd);
        gd.remove();
      }
    }
  }

  Plotly.toImage = function vizwidgetToImage(figure, opts) {
    const plain = figure && Object.getPrototypeOf(figure) === Object.prototype;
    if (plain && opts && FORMATS.has(opts.format) && scenesOnly(figure)) {
      return sceneImage(figure, opts);
    }
    return original.apply(this, arguments);
  };
})();
