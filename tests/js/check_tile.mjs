// Parse gzip MVT files with @mapbox/vector-tile (the parser MapLibre uses) and print a JSON summary:
//   node check_tile.mjs tile1.mvt.gz [tile2 ...]
// → [{layers: {<name>: {version, extent, features: [{id, type, properties, rings, points}]}}}, ...]
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";

const out = process.argv.slice(2).map((path) => {
  const tile = new VectorTile(new PbfReader(gunzipSync(readFileSync(path))));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const geom = f.loadGeometry();
      features.push({
        id: f.id ?? null,
        type: f.type,
        properties: f.properties,
        rings: geom.length,
        points: geom.reduce((n, ring) => n + ring.length, 0),
        bbox: f.bbox(),
      });
    }
    layers[name] = { version: layer.version, extent: layer.extent, features };
  }
  return { path, layers };
});
process.stdout.write(JSON.stringify(out));
