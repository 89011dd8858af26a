"""The OpenAPI document is the contract as served: schemathesis, every check but ``unsupported_method``.

The local server (the real handlers, the session's small release) runs on 127.0.0.1 (a free port);
``schemathesis run`` reads ``GET /v1/openapi.json`` and checks, operation by operation, that every
answer has a documented status, content type and schema (errors: problem+json ``Problem``), that
schema-invalid requests are refused and schema-valid ones are not, plus its other checks.
Deterministic and bounded (``-n`` examples per operation) so the run stays under a minute.

Two documented exceptions, for constraints JSON Schema cannot state:

- ``GET /v1/facilities``: a box with min > max or wider than 2° is a 400 (the pattern states four numbers);
- ``POST /v1/eligibility``: a well-formed commune code this release does not know, or a point in no
  commune, is a 422 (the body is valid JSON of the right shape, but not processable).

The stateful phase is left out: it feeds values inferred from answers (e.g. the TileJSON's
``{z}/{x}/{y}`` URL template, literally) into typed parameters, which the API rightly refuses.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.needs_sources

EXAMPLES = 20
CONFIG = """
[[operations]]
include-path = "/v1/facilities"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

[[operations]]
include-path = "/v1/eligibility"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "422"]
"""



def test_schemathesis_finds_nothing(small_release_port, tmp_path):
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    cmd = [exe, "--config-file", str(config), "run", f"http://127.0.0.1:{small_release_port}/v1/openapi.json",
           "--checks", "all", "--exclude-checks", "unsupported_method", "--phases", "examples,coverage,fuzzing",
           "--max-examples", str(EXAMPLES), "--generation-deterministic", "--no-color"]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    m = re.search(r"(\d+) generated, (\d+) passed", r.stdout)
    assert m and m.group(1) == m.group(2) and int(m.group(1)) > 500, r.stdout[-2000:]  # every operation exercised
