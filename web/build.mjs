// Builds the static client into dist/: one JS bundle (MapLibre + app), one CSS bundle, the HTML.
// Usage: npm run build   (NODE_ENV=development for unminified output with source maps)
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";

const dev = process.env.NODE_ENV === "development";
const out = new URL("./dist/", import.meta.url).pathname;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: "src/main.js", style: "src/app.css" },
  bundle: true,
  minify: !dev,
  sourcemap: dev,
  format: "iife",
  target: ["es2020", "chrome100", "safari15", "firefox100"],
  outdir: out,
  legalComments: "none",
  logLevel: "warning",
});
await cp("public", out, { recursive: true });
