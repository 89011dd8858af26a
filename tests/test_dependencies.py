"""The dependency layout: the Lambda layer's pins agree with uv.lock, the interpreter and licence files
agree with pyproject and the template, and the vendored vector tile schema is the one MVT readers use."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lock() -> dict[str, list[dict]]:
    by: dict[str, list[dict]] = {}
    for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]:
        by.setdefault(p["name"], []).append(p)
    return by


def _closure(lock: dict[str, list[dict]], roots: list[str]) -> dict[str, str]:
    """name → locked version of ``roots`` and everything they depend on."""
    out: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        (pkg,) = lock[name]  # the layer's packages have one locked version
        out[name] = pkg["version"]
        todo += [d["name"] for d in pkg.get("dependencies", [])]
    return out


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_layer_requirements_match_the_lock():
    lock = _lock()
    (project,) = [p for p in lock["rezone"] if p["source"].get("editable") == "."]
    serving = [d["name"] for d in project["dependencies"]]
    assert "boto3" in serving and "aws-lambda-powertools" in serving
    # boto3 (and what only boto3 needs) comes with the Lambda runtime
    expected = _closure(lock, [n for n in serving if n != "boto3"])
    assert "pydantic-core" in expected and "botocore" not in expected
    pins = _pins(ROOT / "layers" / "rezone" / "requirements.txt")
    assert pins == expected, "layers/rezone/requirements.txt is stale: run `make layer-requirements`"


def test_python_version_is_the_lambda_runtime():
    version = (ROOT / ".python-version").read_text().strip()
    tpl = (ROOT / "template.yaml").read_text()
    runtimes = set(re.findall(r"\bpython(3\.\d+)\b", tpl))
    assert runtimes == {version}
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"  # setup.sh falls back to a 3.11 where no 3.12 is installed


def test_licence_file_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_dev_tools_are_a_dependency_group_not_an_extra():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "dev" not in py["project"].get("optional-dependencies", {})
    dev = " ".join(py["dependency-groups"]["dev"])
    for tool in ("pytest", "hypothesis", "moto[s3,cloudformation]", "openpyxl", "mapbox-vector-tile", "ruff"):
        assert tool in dev
    build = " ".join(py["project"]["optional-dependencies"]["build"])
    assert "openpyxl" not in build and "mapbox-vector-tile" not in build and "python-calamine" in build


def test_vendored_vector_tile_schema_is_mapbox_vector_tiles():
    from mapbox_vector_tile.Mapbox import vector_tile_pb2 as theirs
    from rezone_build import vector_tile_pb2 as ours

    assert ours.DESCRIPTOR.serialized_pb == theirs.DESCRIPTOR.serialized_pb
    proto = (ROOT / "tiles" / "rezone_build" / "vector_tile.proto").read_text()
    for field in ("sint_value = 6", "repeated uint32 geometry = 4 [ packed = true ]", "extent = 5 [ default = 4096 ]"):
        assert field in proto


def test_sam_tools_pins_are_plain_requirements():
    reqs = [ln for ln in (ROOT / "infra" / "requirements-sam.txt").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]
    assert {r.split("==")[0] for r in reqs} == {"aws-sam-cli", "cfn-lint", "checkov"}
    assert all(re.fullmatch(r"[a-z\-]+==[\d.]+", r) for r in reqs)
