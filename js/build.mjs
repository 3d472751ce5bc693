// Bundle the widget's ES module and CSS into the Python package (src/vizwidget/static/).
// Usage: node build.mjs [--watch]
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const outdir = fileURLToPath(new URL("../src/vizwidget/static/", import.meta.url));
const options = {
  outdir,
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "info",
  entryPoints: [
    { in: "src/widget.js", out: "widget" },
    { in: "src/widget.css", out: "widget" },
  ],
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
