// Builds the static client into dist/: one JS bundle (MapLibre + app) and one CSS bundle with
// content-hashed names (cacheable forever on a CDN), index.html pointing at them (short cache),
// and the files of public/. Every text file also gets <file>.br and <file>.gz next to it, which the
// local server sends by Accept-Encoding (rezone_infra/web_rules.py; CloudFront compresses itself).
// Usage: npm run build   (NODE_ENV=development: unminified, with source maps)
import { build } from "esbuild";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dev = process.env.NODE_ENV === "development";
const out = new URL("./dist/", import.meta.url).pathname;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  // app: the page without MapLibre; map-<hash>.js: the dynamic import("./map.js") with MapLibre,
  // loaded after the first paint with map-<hash>.css.
  entryPoints: { app: "src/main.js", style: "src/app.css", map: "src/map.css" },
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  splitting: true,
  bundle: true,
  minify: !dev,
  sourcemap: dev,
  format: "esm",
  target: ["es2020", "chrome100", "safari15", "firefox100"],
  outdir: out,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});
await cp("public", out, { recursive: true });

// index.html names the bundles "app.js", "style.css" and "map.css": point it at the hashed files.
const names = {};
const ENTRY = { "src/main.js": "app.js", "src/app.css": "style.css", "src/map.css": "map.css" };
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint && ENTRY[meta.entryPoint]) names[ENTRY[meta.entryPoint]] = basename(file);
}
let html = await readFile(`${out}index.html`, "utf8");
for (const [plain, hashed] of Object.entries(names)) {
  if (!html.includes(`"${plain}"`)) throw new Error(`index.html does not reference ${plain}`);
  html = html.replace(`"${plain}"`, `"${hashed}"`);
}
await writeFile(`${out}index.html`, html);
// embed.html: the same page and bundle for partner portals' <iframe>, compact (body.embed hides the
// header, footer, catalogue, sharing and comparison); served with its own frame-ancestors.
const embed = html.replace("<body>", '<body class="embed">')
  .replace(/<title>[^<]*<\/title>/, "<title>Rézone — carte du zonage (intégration)</title>");
if (!embed.includes('<body class="embed">')) throw new Error("index.html has no plain <body> tag");
await writeFile(`${out}embed.html`, embed);

// Precompressed copies of the text files (once here, instead of on every request).
const TEXT = /\.(?:html|js|css|svg|json|txt|map)$/;
for (const name of await readdir(out)) {
  if (!TEXT.test(name)) continue;
  const data = await readFile(`${out}${name}`);
  if (data.length < 256) continue; // web_rules.MIN_COMPRESS: not worth an encoding
  await writeFile(`${out}${name}.gz`, gzipSync(data, { level: 9 }));
  await writeFile(`${out}${name}.br`, brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
}
