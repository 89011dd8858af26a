"""Storage faults: how fast a stalled, throttled or failing S3 becomes a 503 (target ≤ 3 s).

A local store's release is uploaded to moto's S3 server on 127.0.0.1
(:class:`rezone_infra.fake_s3.FakeS3`) and served by ``rezone serve --store s3://…`` in a
subprocess. For each S3 state (healthy, stalled with SIGSTOP, ``503 SlowDown``, ``500
InternalError``) the same requests are timed through HTTP: a tile (tiles function), a locate
(query function) and an eligibility POST (eligibility function) at the tileset's centre. Printed:
statuses, ``Retry-After``, p50 and max latency per state and function. Each state runs on a
fresh server warmed by TileJSON, health and aids requests (functions imported, manifest cached
for the run), so the timed requests meet the fault on their own object reads, as a warm Lambda
container would. The functions' own timeout (template.yaml)
is 10 s; the S3 client's budget is in :mod:`rezone.storage` (``SERVING_S3``).

    .venv/bin/python benchmarks/bench_storage_faults.py --store store [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 10  # the Lambda functions' Timeout in template.yaml
WARM = ("/tiles/zonage.json", "/v1/health", "/v1/aids")


def _request(base: str, path: str, body: dict | None) -> tuple[int, float, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"} if data else {})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
            r.read()
            status, headers = r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        e.read()
        status, headers = e.code, dict(e.headers)
    except TimeoutError:
        status, headers = 0, {}
    return status, (time.perf_counter() - t0) * 1000, headers


def _targets(store: Path) -> list[tuple[str, str, dict | None]]:
    """One uncached-on-demand request per function, from the release's own communes."""
    manifest = json.loads((store / "manifest.json").read_text())
    rel = store / "releases" / manifest["current"]
    tj = json.loads((rel / "tiles" / "zonage.json").read_text()) if (rel / "tiles" / "zonage.json").is_file() else {}
    lon, lat = (tj.get("center") or [2.2957, 49.894])[:2]
    import math

    z = 9
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    return [
        ("tiles", f"/tiles/zonage/{z}/{x}/{y}.mvt", None),
        ("query", f"/v1/locate?lat={lat}&lon={lon}", None),
        ("eligibility", "/v1/eligibility", {"profession": "medecin", "location": {"lat": lat, "lon": lon},
                                            "answers": {"project": "installation"}}),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / "store"), help="a local store with a published release")
    ap.add_argument("--runs", type=int, default=5, help="requests per state and function")
    a, _ = ap.parse_known_args(argv)  # run_all.py passes its arguments to every benchmark
    store = Path(a.store)
    if not (store / "manifest.json").is_file():
        print(f"bench_storage_faults: no release in {store} (rezone build first): skipped")
        return 0
    try:
        import flask  # noqa: F401 - moto.server needs it
        from rezone_infra.fake_s3 import FakeS3, rezone_serve
    except ImportError as exc:
        print(f"bench_storage_faults: {exc}: skipped")
        return 0
    targets = _targets(store)
    rows = []
    with FakeS3() as s3:
        url = s3.upload_store(store, "rezone-bench-faults", "rezone")
        states = [
            ("healthy", lambda: None, lambda: None),
            ("stalled (SIGSTOP)", s3.stall, s3.resume),
            ("throttled (503 SlowDown)", lambda: s3.fail(503, "SlowDown"), s3.heal),
            ("failing (500 InternalError)", lambda: s3.fail(500, "InternalError"), s3.heal),
        ]
        for label, start, stop in states:
            # A fresh server per state, warmed by requests that import each function and cache the
            # manifest but not the data the timed requests read (locate shard, facts, tile bytes).
            env = {**s3.env(), "REZONE_MANIFEST_TTL": "3600"}
            with tempfile.TemporaryDirectory() as tmp, rezone_serve(url, env, Path(tmp) / "serve.log") as base:
                for path in WARM:
                    _request(base, path, None)
                start()
                try:
                    for fn, path, body in targets:
                        samples = [_request(base, path, body) for _ in range(a.runs)]
                        statuses = sorted({s for s, _, _ in samples})
                        retry = {h.get("Retry-After") for s, _, h in samples if s == 503}
                        ms = [t for _, t, _ in samples]
                        rows.append((label, fn, statuses, retry, statistics.median(ms), max(ms)))
                finally:
                    stop()
    print(f"{'S3 state':<28} {'function':<12} {'statuses':<10} {'Retry-After':<12} {'p50 ms':>8} {'max ms':>8}")
    for label, fn, statuses, retry, p50, mx in rows:
        print(f"{label:<28} {fn:<12} {','.join(map(str, statuses)):<10} {','.join(sorted(r for r in retry if r)) or '-':<12} "
              f"{p50:>8.0f} {mx:>8.0f}")
    print(f"\n({a.runs} requests per row through rezone serve; status 0 = no answer within {TIMEOUT_S} s, "
          "the functions' timeout; shared 2-core machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
