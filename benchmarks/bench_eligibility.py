"""Benchmark of eligibility: the pure engine (warm), the whole handler (warm), cold start, sizes.

    .venv/bin/python benchmarks/bench_eligibility.py                 # Somme (80) from ../shared/data
    .venv/bin/python benchmarks/bench_eligibility.py --deps 80,13
    .venv/bin/python benchmarks/bench_eligibility.py --store /tmp/st # an already published store

Without ``--store`` it ingests the sources of the given départements and runs the ``facts`` and
``eligibility`` steps into a temporary store. Inputs are the real facts of every commune of the
area, crossed with answer profiles of each profession and four simulation dates.

- engine: ``rezone.eligibility.evaluate`` (rules compiled once, facts already loaded);
- handler: ``functions/eligibility/app.py`` on API Gateway v2 events (validation, facts lookup,
  evaluation, JSON), warm;
- cold: a fresh subprocess per sample: import of the function + first answer;
- sizes: the compiled catalogue and one answer.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "data"

PROFILES = {
    "medecin": [
        {
            "project": "installation",
            "first_liberal_installation": True,
            "secteur": "1",
            "days_per_week": 4,
            "coordinated_practice": True,
            "pdsa": True,
        },
        {
            "project": "already_installed",
            "secteur": "2_optam",
            "coordinated_practice": True,
            "age": 62,
            "hosts_successor_under_50": True,
            "annual_fees_eur": 180000,
            "opposable_share_pct": 70,
            "medecin_traitant": True,
            "fmt_annual_eur": 25000,
        },
        {
            "project": "solidarity_days",
            "secteur": "1",
            "days_per_year_in_zip": 20,
            "annual_fees_in_zip_eur": 30000,
            "solidarity_days_per_month": 2,
        },
    ],
    "infirmier": [
        {
            "project": "installation",
            "first_liberal_installation": True,
            "coordinated_practice": True,
            "activity_share_in_zone_pct": 60,
        }
    ],
    "masseur_kinesitherapeute": [{"project": "installation", "practice_type": "creation_or_takeover"}],
    "sage_femme": [{"project": "installation", "first_liberal_installation": False, "days_per_week": 3}],
    "chirurgien_dentiste": [
        {"project": "already_installed", "days_per_week": 4, "other_incentive_contract": False}
    ],
    "orthophoniste": [
        {
            "project": "already_installed",
            "age": 61,
            "hosts_successor_under_50": True,
            "annual_fees_eur": 90000,
        }
    ],
}
DATES = ["2023-06-01", "2025-06-01", "2026-03-01", "2027-01-15"]


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))] if v else float("nan")


def build_store(deps: list[str], sources: Path) -> tuple[Path, float]:
    from types import SimpleNamespace

    from rezone.storage import LocalStore
    from rezone_build import facts, rules_build
    from rezone_build.ingest import ingest
    from rezone_build.publish import publish

    tmp = Path(tempfile.mkdtemp(prefix="bench-elig-"))
    ds = ingest(sources, departements=deps, cache_dir=ROOT / ".rezone" / "cache", progress=False)
    out = tmp / "release"
    out.mkdir()
    ctx = SimpleNamespace(say=lambda m: None)
    facts.build(ds, out, ctx)
    t = time.perf_counter()
    rules_build.build(ds, out, ctx)
    dt = time.perf_counter() - t
    (out / "release.json").write_text(json.dumps({"version": "bench"}))
    publish(out, LocalStore(tmp / "store"), "bench")
    return tmp / "store", dt


def row(name: str, samples_s: list[float]) -> str:
    us = [s * 1e6 for s in samples_s]
    per_s = len(us) / (sum(us) / 1e6) if us else float("nan")
    return (
        f"| {name:<40} | {len(us):>7} | {per_s:>10,.0f} | {pct(us, 50):>8.0f} | {pct(us, 99):>8.0f} "
        f"| {statistics.fmean(us):>9.0f} |"
    )


COLD = """
import json, time
t0 = time.perf_counter()
import importlib.util, sys
spec = importlib.util.spec_from_file_location("elig_app", {app!r})
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
t1 = time.perf_counter()
from rezone_infra.server import make_event
body = json.dumps({{"profession": "medecin", "location": {{"commune": {code!r}}}, "as_of": "2026-03-01",
                   "answers": {{"project": "installation", "secteur": "1"}}}}).encode()
r = mod.handler(make_event("POST", "/v1/eligibility", "", {{"content-type": "application/json"}}, body), None)
t2 = time.perf_counter()
assert r["statusCode"] == 200, r
print(json.dumps({{"import": t1 - t0, "total": t2 - t0}}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--deps", default="80")
    ap.add_argument("--store", type=Path)
    ap.add_argument("--sources", type=Path, default=SOURCES)
    ap.add_argument("--n", type=int, default=3000, help="engine evaluations per profession")
    ap.add_argument("--cold", type=int, default=5)
    args = ap.parse_args()

    import os

    build_s = None
    store = args.store
    if store is None:
        store, build_s = build_store(args.deps.split(","), args.sources)
    os.environ["REZONE_STORE"] = str(store)

    from rezone import release
    from rezone.eligibility import compile_rules, evaluate
    from rezone_infra.server import load_handler, make_event

    release.reset(str(store))
    rel = release.current()
    catalogue = rel.json("eligibility/aids.json")
    rules = compile_rules(catalogue)
    communes = {}
    for key in rel.store.list(rel.prefix + "facts/"):
        communes.update(json.loads(rel.store.get(key)))
    codes = sorted(communes)
    rnd = random.Random(7)

    header = ("case", "samples", " evals/s  ", "p50 (µs)", "p99 (µs)", "mean (µs)")
    lines = [f"| {header[0]:<40} | " + " | ".join(header[1:]) + " |",
             "|" + "|".join("-" * (len(h) + 2) for h in (" " * 40, *header[1:])) + "|"]
    all_engine: list[float] = []
    for prof, profiles in PROFILES.items():
        inputs = [
            (communes[rnd.choice(codes)], rnd.choice(profiles), rnd.choice(DATES)) for _ in range(args.n)
        ]
        for f, a, d in inputs[:50]:  # warm-up
            evaluate(rules, f, a, d, profession=prof)
        samples = []
        for f, a, d in inputs:
            t = time.perf_counter()
            evaluate(rules, f, a, d, profession=prof)
            samples.append(time.perf_counter() - t)
        all_engine += samples
        lines.append(row(f"engine {prof} ({len(rules.by_profession[prof])} aids)", samples))
    lines.append(row("engine, all professions", all_engine))

    handler = load_handler("eligibility")
    events = []
    for _ in range(max(300, args.n // 5)):
        prof = rnd.choice(list(PROFILES))
        body = {
            "profession": prof,
            "location": {"commune": rnd.choice(codes)},
            "as_of": rnd.choice(DATES),
            "answers": rnd.choice(PROFILES[prof]),
        }
        events.append(
            make_event(
                "POST", "/v1/eligibility", "", {"content-type": "application/json"}, json.dumps(body).encode()
            )
        )
    for ev in events[:30]:
        handler(ev, None)
    samples = []
    size = 0
    for ev in events:
        t = time.perf_counter()
        r = handler(ev, None)
        samples.append(time.perf_counter() - t)
        assert r["statusCode"] == 200, r["body"][:300]
        size = max(size, len(r["body"]))
    lines.append(row("handler POST /v1/eligibility (warm)", samples))
    q_events = [make_event("GET", "/v1/eligibility/questions", f"profession={p}", {}, None) for p in PROFILES]
    samples = []
    for i in range(600):
        t = time.perf_counter()
        handler(q_events[i % len(q_events)], None)
        samples.append(time.perf_counter() - t)
    lines.append(row("handler GET questions (warm)", samples))

    cold = []
    app = str(ROOT / "functions" / "eligibility" / "app.py")
    for _ in range(args.cold):
        out = subprocess.run(
            [sys.executable, "-c", COLD.format(app=app, code=codes[0])],
            capture_output=True,
            text=True,
            env={**os.environ, "REZONE_STORE": str(store)},
            check=True,
        )
        cold.append(json.loads(out.stdout.strip().splitlines()[-1]))

    print(
        f"\nEligibility benchmark — store {store}, {len(codes)} communes, {catalogue['count']} rules, "
        f"dates {', '.join(DATES)}\n"
    )
    print("\n".join(lines))
    print("\n| cold start (fresh process)          | p50 (ms) | max (ms) |")
    print("|-------------------------------------|----------|----------|")
    for k in ("import", "total"):
        v = [c[k] * 1000 for c in cold]
        print(
            f"| {('import of the function' if k == 'import' else 'import + first answer'):<35} "
            f"| {statistics.median(v):>8.0f} | {max(v):>8.0f} |"
        )
    cat_bytes = len(rel.get("eligibility/aids.json"))
    print("\n| size / time                         | value      |")
    print("|-------------------------------------|------------|")
    print(f"| compiled catalogue (aids.json)      | {cat_bytes / 1024:>7.1f} KB |")
    print(f"| largest answer body                 | {size / 1024:>7.1f} KB |")
    if build_s is not None:
        print(f"| eligibility build step              | {build_s * 1000:>7.0f} ms |")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| peak RSS                            | {rss_mb:>7.0f} MB |")
    p50 = pct([s * 1e6 for s in all_engine], 50)
    print(
        f"\ntarget ≤ 1 ms per evaluation warm: engine p50 {p50:.0f} µs → {'OK' if p50 <= 1000 else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
