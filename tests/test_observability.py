"""Structured logs and EMF metrics of the three functions, as a Lambda process prints them.

The three handlers (``functions/<name>/app.py``, loaded like the local server does) answer real
API Gateway v2 events from the small release in a fresh interpreter, as a cold Lambda container
would; one tile read then fails (a disk error), which the edge answers 503 and logs. Everything
the process prints on stdout must be JSON lines: one EMF document per request, one Powertools
log record for the failure, and the script's own marker lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "events"
pytestmark = pytest.mark.needs_sources

SCRIPT = r"""
import copy, json, sys, types
from rezone_infra.server import load_handler

events = sys.argv[1]
def ev(name, **changes):
    e = json.load(open(f"{events}/{name}.json"))
    e.update(changes)
    return e

def mark(**kw):
    print(json.dumps({"marker": kw}), flush=True)

tiles, query, eligibility = (load_handler(n) for n in ("tiles", "query", "eligibility"))
tile = ev("tile_zonage_amiens")
first = tiles(tile, types.SimpleNamespace(aws_request_id="lambda-request-1"))
tiles(tile, None)
again = copy.deepcopy(tile)
again["headers"]["if-none-match"] = first["headers"]["ETag"]
tiles(again, None)
query(ev("locate_amiens"), None)
mark(powertools_loaded="aws_lambda_powertools" in sys.modules)
query(ev("locate_amiens", queryStringParameters={"lat": "91", "lon": "2"}, rawQueryString="lat=91&lon=2"), None)
eligibility(ev("eligibility_post"), None)

from rezone.storage import LocalStore
def broken(self, key, offset, length):
    raise OSError(5, "Input/output error", key)
LocalStore.get_range = broken
failed = tiles(tile, None)
mark(status=failed["statusCode"], retry_after=failed["headers"].get("Retry-After"))
"""


@pytest.fixture(scope="module")
def printed(small_release):
    env = {**os.environ, "REZONE_STORE": str(small_release["store"]), "POWERTOOLS_SERVICE_NAME": "rezone",
           "POWERTOOLS_LOG_LEVEL": "INFO"}
    env.pop("POWERTOOLS_METRICS_DISABLED", None)
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(EVENTS)], capture_output=True, text=True, env=env,
                       timeout=120, check=False, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]  # every line is JSON
    return lines


def test_one_emf_document_per_request(printed):
    docs = [x for x in printed if "_aws" in x]
    assert [(d["function"], d["method"], d["status"], d["cold_start"]) for d in docs] == [
        ("tiles", "GET", 200, True),
        ("tiles", "GET", 200, False),
        ("tiles", "GET", 304, False),
        ("query", "GET", 200, True),
        ("query", "GET", 400, False),
        ("eligibility", "POST", 200, True),
        ("tiles", "GET", 503, False),
    ]
    for d in docs:
        (directive,) = d["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Rezone" and directive["Dimensions"] == [["function", "service"]]
        names = [m["Name"] for m in directive["Metrics"]]
        assert names[:2] == ["Requests", "StorageReads"] and all(isinstance(d[n], int) for n in names)
        assert all(m["Unit"] == "Count" for m in directive["Metrics"])
        assert d["service"] == "rezone" and d["correlation_id"] and d["duration_ms"] >= 0
        assert isinstance(d["_aws"]["Timestamp"], int)
    assert [d["function"] for d in docs if "ColdStart" in d] == ["tiles", "query", "eligibility"]
    assert [d["status"] for d in docs if "Status304" in d] == [304]
    assert [d["status"] for d in docs if "Status4xx" in d] == [400]
    assert [d["status"] for d in docs if "Status5xx" in d] == [503]
    tile = json.loads((EVENTS / "tile_zonage_amiens.json").read_text())
    assert docs[0]["request_id"] == "lambda-request-1"  # the Lambda context's id when there is one
    assert docs[1]["request_id"] == tile["requestContext"]["requestId"]  # else API Gateway's
    assert docs[0]["StorageReads"] >= 2  # manifest, archive header/directory, tile
    assert docs[1]["StorageReads"] == 1  # warm: the tile bytes only
    assert docs[2]["StorageReads"] == 0  # 304: answered from the cached directory
    assert docs[4]["StorageReads"] == 0  # 400: rejected before any read


def test_failure_is_one_powertools_json_record_with_the_request_keys(printed):
    markers = [x["marker"] for x in printed if "marker" in x]
    assert markers == [{"powertools_loaded": False}, {"status": 503, "retry_after": "5"}]
    records = [x for x in printed if "level" in x]
    (rec,) = records  # nothing is logged for the requests that went well
    tile = json.loads((EVENTS / "tile_zonage_amiens.json").read_text())
    assert rec["level"] == "WARNING" and rec["service"] == "rezone"
    assert "storage unavailable" in rec["message"] and "Input/output error" in rec["message"]
    assert rec["request_id"] == rec["correlation_id"] == tile["requestContext"]["requestId"]
    assert rec["cold_start"] is False and rec["function"] == "tiles"
    assert rec["timestamp"] and rec["location"]
    # the record comes before the EMF document of its own request
    order = [("log" if "level" in x else "emf" if "_aws" in x else "marker") for x in printed]
    assert order[-3:] == ["log", "emf", "marker"]
