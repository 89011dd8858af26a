"""Property-based fuzz of the public API from its own OpenAPI document (schemathesis + hypothesis).

The local server (the real handlers, the small real release) runs on 127.0.0.1; schemathesis reads
``GET /v1/openapi.json`` and generates requests for every operation, valid and invalid (wrong
types, out-of-range numbers, odd strings, missing parameters, hostile bodies). Bounded: a fixed
number of examples per operation, derandomised, so the whole run stays well under a minute.
Asserted: no 5xx ever; every 4xx is RFC 9457 problem+json with a title and the same status; CORS
on every answer; JSON answers parse as strict JSON (no NaN/Infinity).
"""

from __future__ import annotations

import http.client
import json
import math
from collections import Counter

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

pytestmark = pytest.mark.needs_sources

EXAMPLES_PER_OPERATION = 60


@pytest.fixture(scope="module")
def api_schema(small_release_port):
    c = http.client.HTTPConnection("127.0.0.1", small_release_port, timeout=30)
    c.request("GET", "/v1/openapi.json")
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        pytest.skip(f"GET /v1/openapi.json → {r.status}: no OpenAPI document served yet")
    doc = json.loads(body)
    doc["servers"] = [{"url": f"http://127.0.0.1:{small_release_port}"}]
    return schemathesis.openapi.from_dict(doc)


def _strict_json(text: str):
    def bad_constant(name):
        raise ValueError(f"non-strict JSON constant {name}")

    return json.loads(text, parse_constant=bad_constant)


def check_case(case, port: int) -> int:
    resp = case.call(base_url=f"http://127.0.0.1:{port}", timeout=30)
    where = f"{case.method} {case.formatted_path} query={case.query!r:.200} body={str(case.body)[:200]}"
    assert resp.status_code < 500, f"{resp.status_code} for {where}: {resp.text[:300]}"
    headers = {k.lower(): (v[0] if isinstance(v, list) else v) for k, v in resp.headers.items()}
    assert headers.get("access-control-allow-origin") == "*", where
    ctype = headers.get("content-type") or ""
    if resp.status_code >= 400:
        assert ctype.startswith("application/problem+json"), f"{resp.status_code} not problem+json: {where}"
        doc = _strict_json(resp.text)
        assert doc["status"] == resp.status_code and doc["title"] and doc["type"], where
    elif "json" in ctype:
        _finite(_strict_json(resp.text), where)
    return resp.status_code


def _finite(o, where: str) -> None:
    if isinstance(o, float):
        assert math.isfinite(o), where
    elif isinstance(o, dict):
        for v in o.values():
            _finite(v, where)
    elif isinstance(o, list):
        for v in o:
            _finite(v, where)


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_never_5xx_and_errors_are_problems(api_schema, small_release_port, mode):
    """Every operation of the OpenAPI document, valid (positive) or invalid (negative) requests."""
    from schemathesis.generation import GenerationMode

    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert len(operations) >= 8, "the OpenAPI document lists too few operations"
    fuzzed, statuses = [], Counter()
    for op in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=GenerationMode(mode)))
        def run(case):
            statuses[check_case(case, small_release_port)] += 1

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
            assert mode == "negative", op.label
            continue
        fuzzed.append(op.label)
    assert len(fuzzed) >= (8 if mode == "positive" else 5), fuzzed
    print(f"{mode}: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
    assert statuses[200] > 0 and sum(n for s, n in statuses.items() if 400 <= s < 500) > 0, statuses
