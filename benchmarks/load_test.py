"""Load test of the local server (the Lambda handlers behind the API Gateway v2 adapter).

Starts ``rezone serve`` on 127.0.0.1 (a random free port) in a subprocess, discovers real inputs
through the API (communes and their centres from /v1/communes, the tile URL template from the
TileJSON), then sends a bounded mixed workload (tiles, locate, communes search, territories,
aids, eligibility POST) with keep-alive connections (threads + http.client) at several
concurrency levels, and prints p50/p99 per endpoint and the error count. Zero errors expected:
an error is a 5xx, a connection failure, or a status outside the endpoint's expected set.

    .venv/bin/python benchmarks/load_test.py --store store            # 20,000 requests per level
    .venv/bin/python benchmarks/load_test.py --store store --requests 3000 --concurrency 1,8

Only 127.0.0.1 is ever contacted; the run stops by itself after ``--requests`` per level or
``--max-seconds`` per level, whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from rezone.constants import PROFESSIONS

__all__ = ["Workload", "main", "run_level"]

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
# endpoint → (share of the traffic, accepted statuses)
MIX = {
    "tile": (0.45, {200, 204}),
    # a commune centre can lie just outside its simplified polygon (coast): an honest 404 problem
    "locate": (0.15, {200, 404}),
    "search": (0.12, {200}),
    "territory": (0.10, {200}),
    "aids": (0.03, {200}),
    "eligibility": (0.15, {200}),
}


def start_server(store: str, log_path: Path, workers: int | None = None) -> tuple[subprocess.Popen, int]:
    """``rezone serve`` on a free port; its access log goes to a file (a pipe would fill and block it)."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rezone_infra.cli",
                "serve",
                "--store",
                store,
                "--host",
                HOST,
                "--port",
                "0",
                *(["--workers", str(workers)] if workers else []),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line or "")
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("the local server did not start: " + log_path.read_text()[-2000:])


def _get(conn: http.client.HTTPConnection, path: str):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    la = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(la)) / math.pi) / 2.0 * n)
    return x, y


class Workload:
    """Real request targets discovered through the API itself."""

    def __init__(self, port: int, seed: int = 7):
        self.rng = random.Random(seed)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        communes: dict[str, dict] = {}
        for prefix in [
            "sa",
            "la",
            "le",
            "ma",
            "ca",
            "be",
            "bo",
            "ch",
            "mo",
            "pa",
            "ro",
            "vi",
            "ab",
            "am",
            "ai",
            "ar",
            "fo",
            "ga",
            "gr",
            "ve",
            "po",
            "tr",
            "me",
            "ba",
            "bu",
            "co",
            "cr",
            "de",
            "fr",
            "ha",
            "ne",
            "pe",
            "pi",
            "ri",
            "st",
            "ta",
            "va",
            "aj",
            "al",
            "cu",
            "pr",
            "so",
            "vo",
            "ol",
            "gu",
            "fl",
            "du",
            "ma",
        ]:
            st, body = _get(conn, f"/v1/communes?q={prefix}&limit=50")
            if st == 200:
                for hit in json.loads(body)["results"]:
                    if hit.get("center"):
                        communes[hit["code"]] = hit
        if not communes:
            raise RuntimeError("no commune found through /v1/communes: is a release published in the store?")
        self.communes = list(communes.values())
        st, body = _get(conn, "/tiles/zonage.json")
        if st != 200:
            raise RuntimeError(f"/tiles/zonage.json → {st}")
        tj = json.loads(body)
        self.tile_template = re.sub(r"^https?://[^/]+", "", tj["tiles"][0])
        self.minzoom, self.maxzoom = max(tj["minzoom"], 6), tj["maxzoom"]
        self.prefixes = sorted({c["name"][:n] for c in self.communes for n in (2, 3, 5)})
        conn.close()

    def request(self, kind: str) -> tuple[str, str, bytes | None]:
        rng = self.rng
        c = rng.choice(self.communes)
        lon, lat = c["center"]["lon"], c["center"]["lat"]
        if kind == "tile":
            z = rng.randint(self.minzoom, self.maxzoom)
            x, y = _tile_xy(lon + rng.uniform(-0.05, 0.05), lat + rng.uniform(-0.05, 0.05), z)
            return (
                "GET",
                self.tile_template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)),
                None,
            )
        if kind == "locate":
            return "GET", f"/v1/locate?lat={lat:.5f}&lon={lon:.5f}", None
        if kind == "search":
            return "GET", f"/v1/communes?q={quote(rng.choice(self.prefixes))}&limit=10", None
        if kind == "territory":
            level, code = rng.choice(
                [
                    ("commune", c["code"]),
                    ("departement", c["departement"]["code"]),
                    ("france", "FR"),
                    ("commune", c["code"]),
                ]
            )
            return "GET", f"/v1/territories/{level}/{code}", None
        if kind == "aids":
            return "GET", "/v1/aids", None
        body = {
            "profession": rng.choice(PROFESSIONS),
            "location": {"commune": c["code"]},
            "answers": {
                "project": "installation",
                "first_liberal_installation": rng.random() < 0.5,
                "days_per_week": rng.choice([2, 3, 4, 5]),
                "coordinated_practice": rng.random() < 0.5,
            },
        }
        return "POST", "/v1/eligibility", json.dumps(body).encode()

    def plan(self, n: int) -> list[tuple[str, str, str, bytes | None]]:
        kinds = list(MIX)
        weights = [MIX[k][0] for k in kinds]
        out = []
        for kind in self.rng.choices(kinds, weights, k=n):
            out.append((kind, *self.request(kind)))
        return out


def run_level(port: int, plan: list, concurrency: int, max_seconds: float) -> dict:
    """Send ``plan`` over ``concurrency`` keep-alive connections; latencies per endpoint."""
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    client_errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    it = iter(plan)
    deadline = time.monotonic() + max_seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        local_lat, local_err, local_4xx = defaultdict(list), defaultdict(list), defaultdict(list)
        while time.monotonic() < deadline:
            with lock:
                item = next(it, None)
            if item is None:
                break
            kind, method, path, body = item
            headers = {"Content-Type": "application/json"} if body else {}
            t = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                answer = r.read()
                status = r.status
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none kills the worker
                local_err[kind].append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            local_lat[kind].append((time.perf_counter() - t) * 1000)
            if status not in MIX[kind][1]:
                local_err[kind].append(f"{method} {path} → {status} {(body or b'')[:200]!r} {answer[:300]!r}")
            elif status >= 400:
                local_4xx[kind].append(f"{method} {path} → {status}")
        conn.close()
        with lock:
            for k, v in local_lat.items():
                lat[k].extend(v)
            for k, v in local_err.items():
                errors[k].extend(v)
            for k, v in local_4xx.items():
                client_errors[k].extend(v)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {"lat": lat, "errors": errors, "client_errors": client_errors, "seconds": time.perf_counter() - t0}


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / "store"), help="a store with a published release")
    ap.add_argument("--requests", type=int, default=20000, help="requests per concurrency level")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--max-seconds", type=float, default=300, help="time cap per level")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, help="server processes (default: rezone serve's)")
    a = ap.parse_args(argv)
    import tempfile

    log_path = Path(tempfile.mkstemp(prefix="rezone-load-", suffix=".log")[1])
    proc, port = start_server(a.store, log_path, a.workers)
    total_errors = 0
    try:
        wl = Workload(port, a.seed)
        print(
            f"local server on 127.0.0.1:{port}, store {a.store}, {len(wl.communes)} communes in the workload"
        )
        run_level(port, wl.plan(200), 4, 60)  # warm every handler and cache
        rows = []
        for conc in [int(c) for c in a.concurrency.split(",")]:
            res = run_level(port, wl.plan(a.requests), conc, a.max_seconds)
            n_all = sum(len(v) for v in res["lat"].values())
            err_all = sum(len(v) for v in res["errors"].values())
            if n_all + sum(1 for v in res["errors"].values() for e in v if "→" not in e) < a.requests:
                print(f"  concurrency {conc}: stopped by --max-seconds after {n_all} requests")
            total_errors += err_all
            for kind in MIX:
                v = res["lat"].get(kind, [])
                rows.append(
                    (
                        conc,
                        kind,
                        len(v),
                        len(res["errors"].get(kind, [])),
                        len(res["client_errors"].get(kind, [])),
                        _pct(v, 50),
                        _pct(v, 99),
                        statistics.fmean(v) if v else float("nan"),
                    )
                )
            rows.append(
                (
                    conc,
                    "ALL",
                    n_all,
                    err_all,
                    sum(len(v) for v in res["client_errors"].values()),
                    _pct([x for v in res["lat"].values() for x in v], 50),
                    _pct([x for v in res["lat"].values() for x in v], 99),
                    n_all / res["seconds"],
                )
            )
            for kind, errs in res["errors"].items():
                for e in errs[:3]:
                    print(f"  error ({kind}): {e}")
            for kind, errs in res["client_errors"].items():
                for e in sorted(set(errs))[:3]:
                    print(f"  expected 4xx ({kind}): {e}")
        print(
            f"\n{'conc':>4} {'endpoint':<12} {'requests':>8} {'errors':>6} {'4xx':>5} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'mean ms / req/s':>16}"
        )
        for conc, kind, n, err, c4xx, p50, p99, extra in rows:
            print(f"{conc:>4} {kind:<12} {n:>8} {err:>6} {c4xx:>5} {p50:>8.2f} {p99:>8.2f} {extra:>16.1f}")
        print("\n(ALL row: last column is throughput in requests/s; others: mean latency in ms;")
        print(" errors = 5xx, connection failures or unexpected statuses; 4xx = expected problem answers)")
        print(f"total errors: {total_errors}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stdout:
            proc.stdout.close()
        print(f"server log: {log_path}")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
