"""Lighthouse (npm ``lighthouse``, pinned in web/package.json) on the local server: median of N runs,
mobile (default settings: simulated slow 4G, 4× CPU slowdown) and desktop (``--preset=desktop``), on
the home page and on a commune deep link.

    .venv/bin/python benchmarks/bench_lighthouse.py                        # store/ if published, else a small build
    .venv/bin/python benchmarks/bench_lighthouse.py --store /tmp/store --runs 3
    .venv/bin/python benchmarks/bench_lighthouse.py --base http://127.0.0.1:8000   # an already running `rezone serve`
    .venv/bin/python benchmarks/bench_lighthouse.py --keep /tmp/lh          # keep each run's JSON report (trace audits)
    .venv/bin/python benchmarks/bench_lighthouse.py --peer http://127.0.0.1:8001 --peer-name before
                                           # another server (e.g. an older checkout), runs interleaved

The local server (``rezone_infra.server.make_server``: the real handlers and ``web/dist``) runs in
this process unless ``--base`` names one. With ``--peer`` the same runs go, interleaved run by run, to
a second server (an older checkout serving the same store, say), so that both tables are taken in
the same conditions on a shared machine. Lighthouse drives Debian's /usr/bin/chromium headless with
the flags that keep it off the network. Printed per page and form factor: the median over the runs
of the Performance score, FCP, LCP, TBT, CLS, TTI, the Accessibility / Best practices / SEO scores,
the bytes transferred by resource type (Lighthouse's ``resource-summary``: transfer sizes, i.e. as
compressed on the wire) and the LCP element of the median run; ``--tasks`` adds the main thread's
longest tasks and the scripts' boot-up time.

Timings come from Lighthouse's simulation (Lantern) over a trace taken on this shared 2-core
machine with software WebGL: they move between runs; compare medians taken in similar conditions.
It is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LIGHTHOUSE = ROOT / "web" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = {"home": "/", "deep link": "/?commune=80021&profession=medecin"}
FORMS = ("mobile", "desktop")
METRICS = [  # (label, audit id, unit)
    ("FCP", "first-contentful-paint", "s"),
    ("LCP", "largest-contentful-paint", "s"),
    ("TBT", "total-blocking-time", "ms"),
    ("CLS", "cumulative-layout-shift", ""),
    ("TTI", "interactive", "s"),
]
CATEGORIES = [("Perf", "performance"), ("A11y", "accessibility"), ("BP", "best-practices"), ("SEO", "seo")]
BYTE_TYPES = ["document", "script", "stylesheet", "font", "image", "other", "total"]


def run_lighthouse(url: str, form: str, out: Path) -> dict:
    cmd = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           f"--chrome-flags={' '.join(CHROME_FLAGS)}", "--locale=fr",
           "--only-categories=performance,accessibility,best-practices,seo", "--max-wait-for-load=60000"]
    if form == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(out.read_text())


def summarise(report: dict) -> dict:
    audits = report["audits"]
    row = {label: (report["categories"][cid]["score"] or 0) * 100 for label, cid in CATEGORIES}
    for label, aid, _unit in METRICS:
        row[label] = audits[aid].get("numericValue")
    row["bytes"] = {i["resourceType"]: (i["requestCount"], i["transferSize"])
                    for i in audits["resource-summary"]["details"]["items"]}
    items = (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items") or []
    node = None
    for it in items:  # LH 12: a list of tables, the first names the element
        for sub in it.get("items", [it]):
            node = node or sub.get("node")
    row["lcp_element"] = (node or {}).get("snippet") or (node or {}).get("selector") or "?"
    row["long_tasks"] = [(t.get("url", "?"), t.get("duration", 0), t.get("startTime", 0))
                         for t in (audits.get("long-tasks", {}).get("details") or {}).get("items", [])]
    row["bootup"] = [(t.get("url", "?"), t.get("total", 0), t.get("scripting", 0), t.get("scriptParseCompile", 0))
                     for t in (audits.get("bootup-time", {}).get("details") or {}).get("items", [])]
    row["mainthread"] = [(t.get("groupLabel", "?"), t.get("duration", 0))
                         for t in (audits.get("mainthread-work-breakdown", {}).get("details") or {}).get("items", [])]
    return row


def fmt(label: str, unit: str, v) -> str:
    if v is None:
        return "–"
    if unit == "s":
        return f"{v / 1000:.1f} s"
    if unit == "ms":
        return f"{v:,.0f} ms"
    if label == "CLS":
        return f"{v:.3f}"
    return f"{v:.0f}"


def short(url: str) -> str:
    return url.rsplit("/", 1)[-1][:40] or url


def start_server(store: Path):
    from rezone_infra.server import make_server

    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").is_file():
        sys.exit("web/dist is missing: run `npm run build` in web/ first")
    srv = make_server(str(store), port=0, web_root=dist)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=None, help="a published local store (default: store/ if any)")
    ap.add_argument("--deps", default="80,13", help="area to build when no store is given")
    ap.add_argument("--base", default=None, help="URL of a running local server (else one is started here)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset of: " + ", ".join(PAGES))
    ap.add_argument("--forms", default=",".join(FORMS), help="mobile, desktop or both")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the JSON reports (default: a temp folder)")
    ap.add_argument("--tasks", action="store_true", help="also print the long tasks and script boot-up")
    ap.add_argument("--peer", default=None, help="URL of a second server measured in the same runs")
    ap.add_argument("--peer-name", default="peer")
    args, _unknown = ap.parse_known_args()  # run_all.py passes every script the same arguments
    if not CHROMIUM.exists():
        print("skipped: no /usr/bin/chromium (apt-get install chromium)")
        return 0
    if not LIGHTHOUSE.is_file():
        print("skipped: lighthouse is not installed (cd web && npm ci)")
        return 0

    srv = None
    base = args.base
    if base is None:
        store = args.store or (ROOT / "store")
        if not (store / "manifest.json").is_file():
            from bench_page_weight import build_small

            print(f"building départements {args.deps} into a temporary store…", flush=True)
            store = build_small(args.deps.split(","))
        srv = start_server(store)
        base = f"http://127.0.0.1:{srv.server_address[1]}"
    keep = args.keep or Path(tempfile.mkdtemp(prefix="rezone-lh-"))
    keep.mkdir(parents=True, exist_ok=True)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    forms = [f.strip() for f in args.forms.split(",") if f.strip()]
    print(f"Lighthouse {json.loads((LIGHTHOUSE.parents[1] / 'package.json').read_text())['version']}, "
          f"{CHROMIUM}, {base}, median of {args.runs} runs; reports in {keep}", flush=True)
    targets = [("this", base)] + ([(args.peer_name, args.peer.rstrip("/"))] if args.peer else [])
    by_target: dict[str, dict[tuple[str, str], list[dict]]] = {name: {} for name, _ in targets}
    try:
        for page in pages:
            for form in forms:
                for i in range(args.runs):
                    for name, url in targets:
                        slug = f"{name}-{page.replace(' ', '-')}-{form}-{i + 1}.json"
                        row = summarise(run_lighthouse(url + PAGES[page], form, keep / slug))
                        by_target[name].setdefault((page, form), []).append(row)
                        print(f"  {name} {page} {form} run {i + 1}: Perf {row['Perf']:.0f} "
                              f"LCP {fmt('LCP', 's', row['LCP'])} TBT {fmt('TBT', 'ms', row['TBT'])} "
                              f"CLS {fmt('CLS', '', row['CLS'])}", flush=True)
    finally:
        if srv is not None:
            srv.shutdown()
            srv.server_close()
    for name, _url in targets:
        if len(targets) > 1:
            print(f"\n===== {name} ({_url})")
        print_tables(by_target[name], args.tasks)
    return 0


def print_tables(results: dict[tuple[str, str], list[dict]], tasks: bool) -> None:
    cols = [f"{p} {f}" for p, f in results]
    width = max(18, *(len(c) + 2 for c in cols))
    print(f"\n{'median':<22}" + "".join(f"{c:>{width}}" for c in cols))
    med_rows = {}
    for key, rows in results.items():
        perf = sorted(rows, key=lambda r: r["Perf"])
        med_rows[key] = perf[len(perf) // 2]
    for label, _cid in CATEGORIES[:1]:
        print(f"{'Performance':<22}" + "".join(f"{statistics.median(r[label] for r in rows):>{width}.0f}"
                                                for rows in results.values()))
    for label, _aid, unit in METRICS:
        print(f"{label:<22}" + "".join(f"{fmt(label, unit, statistics.median(r[label] for r in rows)):>{width}}"
                                       for rows in results.values()))
    print(f"{'A11y / BP / SEO':<22}" + "".join(
        f"{' / '.join(f'{statistics.median(r[c] for r in rows):.0f}' for c, _ in CATEGORIES[1:]):>{width}}"
        for rows in results.values()))
    for t in BYTE_TYPES:
        cells = []
        for rows in results.values():
            vals = [r["bytes"].get(t, (0, 0)) for r in rows]
            n = statistics.median(v[0] for v in vals)
            size = statistics.median(v[1] for v in vals)
            cells.append(f"{size / 1024:,.0f} KiB ({n:.0f})")
        print(f"{'bytes ' + t:<22}" + "".join(f"{c:>{width}}" for c in cells))
    print("\nLCP element (median-Performance run):")
    for key, row in med_rows.items():
        print(f"  {key[0]} {key[1]}: {row['lcp_element'][:110]}")
    if tasks:
        for key, row in med_rows.items():
            print(f"\n{key[0]} {key[1]} (median run): long tasks (duration and start, ms, as Lighthouse reports them)")
            for url, dur, start in sorted(row["long_tasks"], key=lambda t: -t[1])[:8]:
                print(f"    {dur:8.0f} at {start:8.0f}  {short(url)}")
            print("  script boot-up (total / scripting / parse+compile, ms)")
            for url, tot, scr, parse in row["bootup"][:5]:
                print(f"    {tot:8.0f} {scr:8.0f} {parse:8.0f}  {short(url)}")
            print("  main thread: " + ", ".join(f"{g} {d:.0f} ms" for g, d in row["mainthread"][:6]))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
