"""Lambda bundle: sizes of the built layer and functions, and cold start of each function.

``sam build`` (from .tools/bin) builds the template twice: for arm64 (what is deployed: sizes
against Lambda's 250 MB unzipped limit) and for x86_64 (this machine: cold starts). A cold start
here is a fresh interpreter without site-packages (``python3.12 -S``) that puts the built function
and layer on ``sys.path`` like Lambda does, imports ``app.py`` and answers one real API Gateway v2
event (tests/events) from a local store, then again from an S3 store: the same release uploaded
to moto's S3 server on 127.0.0.1 (:mod:`rezone_infra.fake_s3`), with boto3 on ``sys.path`` after
the layer as the Lambda runtime provides it (copied from the venv). Printed: import ms, first
answer ms, warm ms, peak RSS MB.

    .venv/bin/python benchmarks/bench_bundle.py --store store [--no-s3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["build", "cold_start", "main"]

ROOT = Path(__file__).resolve().parents[1]
SAM = ROOT / ".tools" / "bin" / "sam"
PY312 = Path("/root/.pyenv/versions/3.12.1/bin")
FUNCTIONS = {"tiles": "TilesFunction", "query": "QueryFunction", "eligibility": "EligibilityFunction"}
EVENTS = {"tiles": "tile_zonage_amiens", "query": "locate_amiens", "eligibility": "eligibility_post"}


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="eu-west-3", SAM_CLI_TELEMETRY="0")
    if PY312.is_dir():
        env["PATH"] = f"{PY312}{os.pathsep}{env.get('PATH', '')}"
    return env


def build(out: Path, arch: str) -> Path:
    text = (ROOT / "template.yaml").read_text()
    if arch != "arm64":
        text = text.replace("Architectures: [arm64]", f"Architectures: [{arch}]")
        text = text.replace("BuildArchitecture: arm64", f"BuildArchitecture: {arch}")
    tpl = out / f"template-{arch}.yaml"
    tpl.write_text(text)
    build_dir = out / f"build-{arch}"
    r = subprocess.run(
        [
            str(SAM),
            "build",
            "--template-file",
            str(tpl),
            "--base-dir",
            str(ROOT),
            "--build-dir",
            str(build_dir),
        ],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    if r.returncode != 0:
        raise RuntimeError((r.stdout + r.stderr)[-2000:])
    return build_dir


def _size(p: Path) -> tuple[int, int]:
    """(unzipped bytes, zipped bytes) of a directory."""
    files = [f for f in p.rglob("*") if f.is_file()]
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:
                z.write(f, f.relative_to(p))
        zipped = tmp.tell()
    return sum(f.stat().st_size for f in files), zipped


COLD = """
import importlib.util, json, os, resource, sys, time
t0 = time.perf_counter()
fn_dir, layer, event_path = sys.argv[1:4]
sys.path[:0] = [fn_dir, layer]
sys.path += sys.argv[4:]  # the runtime's boto3, after the layer as on Lambda
spec = importlib.util.spec_from_file_location("app", os.path.join(fn_dir, "app.py"))
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
t1 = time.perf_counter()
resp = mod.handler(json.load(open(event_path)), None)
t2 = time.perf_counter()
resp2 = mod.handler(json.load(open(event_path)), None)
t3 = time.perf_counter()
print(json.dumps({"status": resp["statusCode"], "import_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000,
                  "warm_ms": (t3 - t2) * 1000, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six.py")


def lambda_runtime(dest: Path) -> Path:
    """A directory holding boto3 and its dependencies, like the Lambda runtime's /var/runtime."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    dest.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        src = site / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def cold_start(build_dir: Path, fn: str, store: str, runs: int = 5, env: dict | None = None,
               runtime: Path | None = None) -> dict:
    py = shutil.which("python3.12", path=_env()["PATH"])
    samples = []
    for _ in range(runs):
        r = subprocess.run(
            [
                py,
                "-S",
                "-c",
                COLD,
                str(build_dir / FUNCTIONS[fn]),
                str(build_dir / "RezoneLayer" / "python"),
                str(ROOT / "tests" / "events" / f"{EVENTS[fn]}.json"),
                *([str(runtime)] if runtime else []),
            ],
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", ""), "REZONE_STORE": store, **(env or {})},
            check=False,
        )
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        samples.append(json.loads(r.stdout.strip().splitlines()[-1]))
    samples.sort(key=lambda s: s["import_ms"] + s["first_ms"])
    return samples[len(samples) // 2]  # the median run


def _cold_table(build_dir: Path, label: str, store: str, env: dict | None = None, runtime: Path | None = None):
    print(
        f"\n{'cold start (x86_64), ' + label:<40} {'status':>6} {'import ms':>10} {'1st answer ms':>14} "
        f"{'warm ms':>8} {'peak RSS MB':>12}"
    )
    for fn in FUNCTIONS:
        s = cold_start(build_dir, fn, store, env=env, runtime=runtime)
        print(
            f"{fn + ' / ' + EVENTS[fn]:<40} {s['status']:>6} {s['import_ms']:>10.1f} {s['first_ms']:>14.1f} "
            f"{s['warm_ms']:>8.2f} {s['rss_mb']:>12.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / "store"), help="a local store with a published release")
    ap.add_argument("--no-s3", action="store_true", help="skip the cold starts against an S3 store")
    a, _ = ap.parse_known_args(argv)
    if not SAM.is_file():
        print("bench_bundle: .tools/bin/sam missing (scripts/setup.sh --sam): skipped")
        return 0
    if not (Path(a.store) / "manifest.json").is_file():
        print(f"bench_bundle: no release in {a.store} (rezone build first): skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        arm = build(Path(tmp), "arm64")
        x86 = build(Path(tmp), "x86_64")
        layer_u, layer_z = _size(arm / "RezoneLayer")
        print(f"{'bundle (arm64)':<34} {'unzipped MB':>12} {'zipped MB':>10} {'% of 250 MB':>12}")
        for fn, res in FUNCTIONS.items():
            u, z = _size(arm / res)
            print(
                f"{fn + ' + layer':<34} {(u + layer_u) / 2**20:>12.2f} {(z + layer_z) / 2**20:>10.2f} "
                f"{(u + layer_u) / (250 * 2**20) * 100:>11.1f}%"
            )
        _cold_table(x86, "local store", a.store)
        if not a.no_s3:
            from rezone_infra.fake_s3 import FakeS3

            runtime = lambda_runtime(Path(tmp) / "runtime")
            with FakeS3() as s3:
                url = s3.upload_store(a.store, "rezone-bench", "rezone")
                _cold_table(x86, "S3 store (moto server)", url, s3.env(), runtime)
        print("\n(median of 5 fresh interpreters; Lambda adds its own init and, for S3, network latency)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
