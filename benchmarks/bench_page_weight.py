"""Web client first view: bytes transferred by type and time to the first rendered map, in headless
Chromium (Debian's /usr/bin/chromium driven by Playwright).

    .venv/bin/python benchmarks/bench_page_weight.py                       # store/ if published, else a small build
    .venv/bin/python benchmarks/bench_page_weight.py --store /tmp/store --runs 7
    .venv/bin/python benchmarks/bench_page_weight.py --deps 80,13,2A,75     # build that area into a temp store

The local server (``rezone_infra.server.make_server``: the real handlers and ``web/dist``) runs in
this process; every response it sends is recorded (path, content type, body bytes), which counts
the worker's tile requests too. Each run uses a fresh browser context (cold cache). Scenarios:
the France view on a phone (390×844) and on a desktop (1366×900), and a shared link to a commune
on a phone (the map, its card and its questionnaire).

Columns: ``bytes`` the bodies as the local server sent them (the web client's files brotli-compressed
for this browser, by ``rezone_infra.web_rules``; API JSON uncompressed; tiles gzip at rest; the label glyphs, gzip at rest, reported apart as ``glyphs``),
``gzip`` the same with the uncompressed bodies gzip-compressed (what the CDN, which compresses /v1,
would send; bodies already encoded are counted as is). Lighthouse's transfer sizes
(``bench_lighthouse.py``) also count each response's headers (≈ 0.3-0.6 KiB each, the CSP alone is
0.3 KiB on every static file). Times: ``map load`` (style loaded, first frame) and ``map idle`` (every tile of the
view loaded and drawn) from navigation start, p50 and max over the runs, on this 2-core machine with
software WebGL.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import threading
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCENARIOS = {
    "phone, France": ("/", {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                            "device_scale_factor": 2}),
    "desktop, France": ("/", {"viewport": {"width": 1366, "height": 900}}),
    "phone, shared link Amiens": ("/?commune=80021&profession=medecin&zoom=11&centre=2.28468,49.89871",
                                  {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                                   "has_touch": True, "device_scale_factor": 2}),
}
KINDS = ["html", "script", "style", "api json", "style/tilejson", "vector tiles", "glyphs", "raster tiles", "other"]


def kind_of(path: str, ctype: str) -> str:
    if path.startswith("/tiles/"):
        if path.startswith("/tiles/fonts/"):
            return "glyphs"
        if path.endswith(".mvt"):
            return "vector tiles"
        if path.endswith((".png", ".webp")):
            return "raster tiles"
        return "style/tilejson"
    if path.startswith("/v1/"):
        return "api json"
    if "html" in ctype:
        return "html"
    if "javascript" in ctype:
        return "script"
    if "css" in ctype:
        return "style"
    return "other"


def compressed(kind: str, body: bytes, headers: dict) -> int:
    if kind in ("vector tiles", "raster tiles", "glyphs") or headers.get("Content-Encoding") or not body:
        return len(body)
    return len(gzip.compress(body, 6))


def published_store(path: Path) -> bool:
    return (path / "manifest.json").is_file()


def build_small(deps: list[str]) -> Path:
    from rezone_build.pipeline import build_release

    tmp = Path(tempfile.mkdtemp(prefix="rezone-bench-web-"))
    build_release(None, tmp / "store", tmp / "work", departements=deps, quiet=True)
    return tmp / "store"


def start_server(store: Path):
    from rezone_infra.server import make_server

    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").is_file():
        sys.exit("web/dist is missing: run `npm run build` in web/ first")
    srv = make_server(str(store), port=0, web_root=dist)
    log: list[tuple[str, str, int, int]] = []
    lock = threading.Lock()
    cls = srv.RequestHandlerClass
    original = cls._send

    def recording_send(self, status, headers, body):
        path = urlsplit(self.path).path
        kind = kind_of(path, headers.get("Content-Type", ""))
        with lock:
            log.append((kind, path, len(body) if status not in (204, 304) else 0,
                        compressed(kind, body, headers) if status not in (204, 304) else 0))
        return original(self, status, headers, body)

    cls._send = recording_send
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, log, lock


def run(browser, base: str, path: str, ctx_args: dict, log: list, lock) -> dict:
    ctx = browser.new_context(locale="fr-FR", **ctx_args)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with lock:
        log.clear()
    page.goto(base + path)
    page.wait_for_selector("body[data-map-ready='true']", state="attached", timeout=120_000)
    if "commune=" in path:
        page.wait_for_selector("#card .zonage-list", timeout=60_000)
        page.wait_for_selector("#sim-fields .q", timeout=60_000)
    marks = page.evaluate("() => Object.fromEntries(performance.getEntriesByType('mark')"
                          ".filter(m => m.name.startsWith('rezone:')).map(m => [m.name, m.startTime]))")
    page.wait_for_timeout(300)  # let late tile responses finish
    with lock:
        entries = list(log)
    ctx.close()
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, _path, raw, gz in entries:
        by_kind[kind][0] += 1
        by_kind[kind][1] += raw
        by_kind[kind][2] += gz
    return {"by_kind": dict(by_kind), "load_ms": marks.get("rezone:map-load"),
            "idle_ms": marks.get("rezone:map-idle"), "errors": errors}


def kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=None, help="a published local store (default: store/ if any)")
    ap.add_argument("--deps", default="80,13,2A,75", help="area to build when no store is given")
    ap.add_argument("--runs", type=int, default=5)
    args, _unknown = ap.parse_known_args()  # run_all.py passes every script the same arguments
    if not CHROMIUM.exists():
        print("skipped: no /usr/bin/chromium (apt-get install chromium)")
        return 0
    from playwright.sync_api import sync_playwright

    store = args.store or (ROOT / "store")
    if not published_store(store):
        print(f"building départements {args.deps} into a temporary store…", flush=True)
        store = build_small(args.deps.split(","))
    srv, log, lock = start_server(store)
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    print(f"store {store}, {args.runs} cold runs per scenario, Chromium {CHROMIUM}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for name, (path, ctx_args) in SCENARIOS.items():
                results = [run(browser, base, path, ctx_args, log, lock) for _ in range(args.runs)]
                first = results[0]["by_kind"]
                print(f"\n{name}  ({path})")
                print(f"  {'type':<16}{'requests':>9}{'KiB':>11}{'KiB gzip':>11}")
                tot = [0, 0, 0]
                for kind in KINDS:
                    if kind in first:
                        n, raw, gz = first[kind]
                        tot = [tot[0] + n, tot[1] + raw, tot[2] + gz]
                        print(f"  {kind:<16}{n:>9}{kb(raw):>11}{kb(gz):>11}")
                print(f"  {'total':<16}{tot[0]:>9}{kb(tot[1]):>11}{kb(tot[2]):>11}")
                loads = [r["load_ms"] for r in results if r["load_ms"] is not None]
                idles = [r["idle_ms"] for r in results if r["idle_ms"] is not None]
                print(f"  map load  p50 {statistics.median(loads):7.0f} ms   max {max(loads):7.0f} ms")
                print(f"  map idle  p50 {statistics.median(idles):7.0f} ms   max {max(idles):7.0f} ms")
                errs = sorted({e for r in results for e in r["errors"]})
                print(f"  console errors: {len(errs)}" + ("".join(f"\n    {e}" for e in errs[:5])))
            browser.close()
    finally:
        srv.shutdown()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
