"""The SAM template: validated by the SAM CLI, cfn-lint and checkov (uv tools in .tools/), built for
python3.12/arm64 within Lambda's size limits, and its IAM / bucket / CDN settings as promised.

The SAM tooling is installed with ``uv tool install`` (one environment per tool, under ``.tools/``; their
pins clash with the app's): ``scripts/setup.sh --sam``. Every check runs offline, with no AWS credentials.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
SAM_BIN = ROOT / ".tools" / "bin"
SKIP_FILE = ROOT / "infra" / "checkov-skip.yaml"
PY312 = Path("/root/.pyenv/versions/3.12.1/bin")

needs_sam = pytest.mark.skipif(
    not (SAM_BIN / "sam").is_file(),
    reason=".tools/bin/sam missing: run scripts/setup.sh --sam (SAM CLI, cfn-lint, checkov)",
)


def _tool_env() -> dict:
    """No credentials, a region, no telemetry: prove the checks need no AWS account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="eu-west-3", SAM_CLI_TELEMETRY="0", BC_SKIP_MAPPING="TRUE")
    # sam build needs a python3.12 *with pip* (not the tool environment's, which has none); tools run by full path.
    path = [str(PY312)] if PY312.is_dir() else []
    env["PATH"] = os.pathsep.join(path + [env.get("PATH", "")])
    return env


def _run(args: list[str], timeout: int = 300, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=_tool_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


class _CfnLoader(yaml.SafeLoader):
    pass


def _cfn_tag(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


@pytest.fixture(scope="module")
def tpl() -> dict:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)


def _res(tpl, name):
    return tpl["Resources"][name]["Properties"]


# ------------------------------------------------------------------ the tools (offline)


@needs_sam
def test_sam_validate_lint():
    r = _run([str(SAM_BIN / "sam"), "validate", "--lint", "--template-file", str(TEMPLATE)])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "is a valid SAM Template" in r.stdout + r.stderr


@needs_sam
def test_cfn_lint():
    r = _run([str(SAM_BIN / "cfn-lint"), str(TEMPLATE)])
    assert r.returncode == 0, r.stdout + r.stderr


def _skip_list() -> dict[str, str]:
    out = {}
    for line in SKIP_FILE.read_text().splitlines():
        m = re.match(r"^\s*-\s*(CKV2?_[A-Z0-9_]+)\s*(?:#\s*(.*))?$", line)
        if m:
            out[m.group(1)] = (m.group(2) or "").strip()
    return out


def test_checkov_skip_list_has_reasons():
    skips = _skip_list()
    assert skips, "empty skip list"
    for cid, reason in skips.items():
        assert len(reason) >= 20, f"{cid} has no real reason in {SKIP_FILE.name}"
    readme = (ROOT / "README.md").read_text()
    assert "infra/checkov-skip.yaml" in readme, "the README must link the checkov skip list"


@needs_sam
def test_checkov_fails_only_the_listed_checks():
    """Run checkov without the skip list: the failed checks are exactly the listed ones."""
    r = _run(
        [
            str(SAM_BIN / "checkov"),
            "-f",
            str(TEMPLATE),
            "--framework",
            "cloudformation",
            "-o",
            "json",
            "--skip-download",
            "--quiet",
            "--compact",
        ]
    )
    reports = json.loads(r.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = {c["check_id"] for rep in reports for c in rep["results"]["failed_checks"]}
    assert sum(rep["summary"]["passed"] for rep in reports) >= 20, "checkov ran (almost) no check"
    skips = set(_skip_list())
    assert failed - skips == set(), (
        f"new checkov failures (fix or list with a reason): {sorted(failed - skips)}"
    )
    assert skips - failed == set(), f"stale entries in {SKIP_FILE.name}: {sorted(skips - failed)}"
    # and with the skip list as config, checkov passes
    r2 = _run(
        [
            str(SAM_BIN / "checkov"),
            "-f",
            str(TEMPLATE),
            "--config-file",
            str(SKIP_FILE),
            "--skip-download",
            "--quiet",
            "--compact",
        ]
    )
    assert r2.returncode == 0, r2.stdout[-3000:]


@needs_sam
def test_sam_build_bundle_sizes(tmp_path):
    """sam build for python3.12/arm64: the layer + each function fit Lambda's 250 MB unzipped limit,
    carry aarch64 binaries and no build-only package (rasterio, mapbox_vector_tile, mercantile...)."""
    if shutil.which("python3.12", path=_tool_env()["PATH"]) is None:
        pytest.skip("python3.12 not on PATH (sam build needs the runtime's interpreter)")
    build = tmp_path / "build"
    r = _run(
        [
            str(SAM_BIN / "sam"),
            "build",
            "--template-file",
            str(TEMPLATE),
            "--build-dir",
            str(build),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        timeout=600,
    )
    if r.returncode != 0 and re.search(
        r"(?i)NewConnectionError|Network is unreachable|Temporary failure in name resolution",
        r.stdout + r.stderr,
    ):
        pytest.skip("sam build could not reach PyPI for the layer's wheels")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]

    def size(p: Path) -> int:
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())

    layer = build / "RezoneLayer" / "python"
    assert (layer / "rezone" / "release.py").is_file(), "the layer must carry the rezone package"
    names = {p.name.lower() for p in layer.iterdir()}
    for banned in (
        "rasterio",
        "mapbox_vector_tile",
        "mercantile",
        "rezone_build",
        "scipy",
        "pyproj",
        "boto3",
        "botocore",
        "openpyxl",
    ):
        assert banned not in names, f"{banned} must not ship in the serving layer"
    for needed in ("aws_lambda_powertools", "pydantic", "pydantic_core"):
        assert needed in names
    sos = list(layer.rglob("*.so"))
    assert sos and all("x86_64" not in so.name for so in sos), "native modules must be built for aarch64"
    limit = 250 * 1024 * 1024
    for fn in ("TilesFunction", "QueryFunction", "EligibilityFunction"):
        total = size(layer) + size(build / fn)
        assert total < limit, f"{fn} + layer = {total / 2**20:.0f} MB unzipped (> 250 MB)"


# ------------------------------------------------------------------ what the template promises

FUNCTIONS = {
    "TilesFunction": "functions/tiles",
    "QueryFunction": "functions/query",
    "EligibilityFunction": "functions/eligibility",
}


def test_functions_runtime_and_layer(tpl):
    g = tpl["Globals"]["Function"]
    assert g["Runtime"] == "python3.12" and g["Architectures"] == ["arm64"] and g["Handler"] == "app.handler"
    assert g["Layers"] == [{"Ref": "RezoneLayer"}]
    env = g["Environment"]["Variables"]["REZONE_STORE"]
    assert env == {"Fn::Sub": "s3://${ReleasesBucket}/${ReleasePrefix}"}
    for name, code in FUNCTIONS.items():
        p = _res(tpl, name)
        assert p["CodeUri"] == code
        assert 128 <= p["MemorySize"] <= 3008 and 1 <= p["Timeout"] < 30  # under the HTTP API's 30 s
    layer = tpl["Resources"]["RezoneLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/rezone"
    assert layer["Metadata"]["BuildMethod"] == "python3.12"


def test_layer_requirements_are_serving_only():
    reqs = (ROOT / "layers" / "rezone" / "requirements.txt").read_text().lower()
    names = {
        re.split(r"[=<>\[ ]", ln.strip())[0]
        for ln in reqs.splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    assert {"aws-lambda-powertools", "pydantic"} <= names
    assert not names & {"rasterio", "numpy", "boto3", "mapbox-vector-tile", "mercantile", "scipy", "pyproj"}


def test_routes(tpl):
    routes = {}
    for name in FUNCTIONS:
        for ev in _res(tpl, name)["Events"].values():
            assert ev["Type"] == "HttpApi" and ev["Properties"]["PayloadFormatVersion"] == "2.0"
            routes[(ev["Properties"]["Method"], ev["Properties"]["Path"])] = name
    assert routes == {
        ("GET", "/tiles/{proxy+}"): "TilesFunction",
        ("POST", "/v1/eligibility"): "EligibilityFunction",
        ("GET", "/v1/eligibility/{proxy+}"): "EligibilityFunction",
        ("GET", "/v1/aids"): "EligibilityFunction",
        ("ANY", "/v1/{proxy+}"): "QueryFunction",
    }


def test_routes_agree_with_local_server(tpl):
    from rezone_infra.server import route

    assert route("/tiles/zonage/8/130/86.mvt") == "tiles"
    assert (
        route("/v1/eligibility") == route("/v1/eligibility/questions") == route("/v1/aids") == "eligibility"
    )
    assert route("/v1/locate") == route("/v1/health") == "query"


def test_cors_in_one_place_only(tpl):
    api = _res(tpl, "HttpApi")
    assert "CorsConfiguration" not in api
    for name, res in tpl["Resources"].items():
        if res["Type"] == "AWS::CloudFront::ResponseHeadersPolicy":
            assert "CorsConfig" not in res["Properties"]["ResponseHeadersPolicyConfig"], name
    assert "Access-Control-Allow-Origin" not in TEMPLATE.read_text()


def test_least_privilege_iam(tpl):
    for name in FUNCTIONS:
        stmts = [s for pol in _res(tpl, name)["Policies"] for s in pol["Statement"]]
        for s in stmts:
            assert s["Effect"] == "Allow"
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            assert set(actions) <= {"s3:GetObject", "s3:ListBucket"}, actions
            if "s3:GetObject" in actions:
                assert s["Resource"] == {"Fn::Sub": "${ReleasesBucket.Arn}/${ReleasePrefix}/*"}
            else:  # ListBucket (so that a missing key is a 404, not a 403), listings under the prefix only
                assert s["Resource"] == {"Fn::GetAtt": "ReleasesBucket.Arn"}
                assert s["Condition"] == {"StringLikeIfExists": {"s3:prefix": {"Fn::Sub": "${ReleasePrefix}/*"}}}
    assert "s3:*\n" not in TEMPLATE.read_text().replace('Action: "s3:*"', "")  # only in the Deny


def test_releases_bucket_private_versioned_encrypted_tls_only(tpl):
    b = _res(tpl, "ReleasesBucket")
    assert b["VersioningConfiguration"]["Status"] == "Enabled"
    assert b["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert all(b["PublicAccessBlockConfiguration"].values()) and len(b["PublicAccessBlockConfiguration"]) == 4
    assert tpl["Resources"]["ReleasesBucket"]["DeletionPolicy"] == "Retain"
    stmts = _res(tpl, "ReleasesBucketPolicy")["PolicyDocument"]["Statement"]
    deny = [s for s in stmts if s["Effect"] == "Deny"]
    assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    allow = [s for s in stmts if s["Effect"] == "Allow"]
    assert all(
        s["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        and "AWS:SourceArn" in s["Condition"]["StringEquals"]
        for s in allow
    ), "only this distribution (OAC) may read"


def test_throttling_logs_alarm(tpl):
    api = _res(tpl, "HttpApi")
    assert (
        api["DefaultRouteSettings"]["ThrottlingRateLimit"]
        and api["DefaultRouteSettings"]["ThrottlingBurstLimit"]
    )
    groups = [n for n, r in tpl["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"]
    assert len(groups) == 4 and all(
        _res(tpl, g)["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups
    )
    alarm = _res(tpl, "Api5xxAlarm")
    assert alarm["MetricName"] == "5xx" and alarm["Namespace"] == "AWS/ApiGateway"


def test_cdn_behaviours_and_cache_policies(tpl):
    dist = _res(tpl, "Distribution")["DistributionConfig"]
    by_path = {b["PathPattern"]: b for b in dist["CacheBehaviors"]}
    assert set(by_path) == {"/v1/*", "/tiles/*", "/releases/*", "/embed.html"}
    # the embeddable page: the web origin, its own headers (frame-ancestors from FrameAncestors, no DENY)
    assert by_path["/embed.html"]["TargetOriginId"] == "web"
    assert by_path["/embed.html"]["ResponseHeadersPolicyId"] == {"Ref": "EmbedSecurityHeadersPolicy"}
    assert by_path["/v1/*"]["TargetOriginId"] == by_path["/tiles/*"]["TargetOriginId"] == "api"
    assert by_path["/tiles/*"]["Compress"] is False  # gzip tiles pass through
    origins = {o["Id"]: o for o in dist["Origins"]}
    assert origins["web"]["OriginAccessControlId"] and origins["releases"]["OriginAccessControlId"]
    tiles = _res(tpl, "TilesCachePolicy")["CachePolicyConfig"]
    qs = tiles["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]
    assert qs == {"QueryStringBehavior": "whitelist", "QueryStrings": ["v"]}  # ?v=<release> versioned URLs
    assert tiles["DefaultTTL"] == 0 and tiles["MaxTTL"] == 31536000  # the origin's Cache-Control decides
    imm = _res(tpl, "ImmutableCachePolicy")["CachePolicyConfig"]
    assert imm["MinTTL"] == imm["DefaultTTL"] == 31536000
    assert dist["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeadersPolicy"}


def _csp_directives(csp: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (x.strip() for x in csp.split(";")) if d}


def test_web_security_headers_match_local_server(tpl):
    from rezone_infra.server import WEB_HEADERS

    sec = _res(tpl, "WebSecurityHeadersPolicy")["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = _csp_directives(sec["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp == _csp_directives(WEB_HEADERS["Content-Security-Policy"]), "CDN and local server CSP differ"
    assert sec["ContentTypeOptions"]["Override"] is True and sec["FrameOptions"]["FrameOption"] == "DENY"


def _openapi_query_params() -> dict[str, set[str]] | None:
    path = ROOT / "functions" / "query" / "app.py"
    if not path.is_file():
        return None
    from rezone_infra.server import load_handler, make_event

    resp = load_handler("query")(make_event("GET", "/v1/openapi.json", "", {"host": "127.0.0.1"}, None), None)
    if resp.get("statusCode") != 200:
        return None
    doc = json.loads(resp["body"])
    names: dict[str, set[str]] = {}
    for path, item in doc.get("paths", {}).items():
        for op in item.values():
            if isinstance(op, dict):
                names.setdefault(path, set()).update(p["name"] for p in op.get("parameters", []) if p.get("in") == "query")
    return names


def test_cdn_forwards_every_query_parameter_of_the_api(tpl):
    params = _openapi_query_params()
    if params is None:
        pytest.skip("GET /v1/openapi.json not served yet by functions/query")

    def allowed(policy: str) -> set[str]:
        cfg = _res(tpl, policy)["CachePolicyConfig"]["ParametersInCacheKeyAndForwardedToOrigin"]
        return set(cfg["QueryStringsConfig"]["QueryStrings"])

    for path, names in params.items():
        policy = "TilesCachePolicy" if path.startswith("/tiles/") else "ApiCachePolicy"
        assert names <= allowed(policy), f"{path}: query parameters the CDN would strip: {sorted(names - allowed(policy))}"
    assert any(names == {"v"} for path, names in params.items() if path.startswith("/tiles/")), "tiles take ?v="


def test_alarm_topic_key_lets_cloudwatch_publish(tpl):
    topic = _res(tpl, "AlarmTopic")
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}  # not alias/aws/sns, which CloudWatch cannot use
    key = _res(tpl, "AlarmTopicKey")
    assert key["EnableKeyRotation"] is True
    cw = [st for st in key["KeyPolicy"]["Statement"] if st["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cw and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cw[0]["Action"])
    alarm = _res(tpl, "Api5xxAlarm")
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert "never return 500" not in TEMPLATE.read_text()  # api/errors.py does answer 500 for a bug


def test_api_answers_only_through_cloudfront(tpl):
    api = next(o for o in _res(tpl, "Distribution")["DistributionConfig"]["Origins"] if o["Id"] == "api")
    assert api["OriginCustomHeaders"] == [{"HeaderName": "X-Origin-Verify",
                                           "HeaderValue": {"Ref": "OriginVerifySecret"}}]
    params = tpl["Parameters"]
    assert params["OriginVerifySecret"]["NoEcho"] is True and params["OriginVerifySecret"]["MinLength"] >= 32
    assert params["OriginVerifySecretPrevious"]["Default"] == ""  # rotation: the previous value, accepted too
    env = tpl["Globals"]["Function"]["Environment"]["Variables"]["REZONE_ORIGIN_SECRET"]
    assert env["Fn::If"][0] == "HasPreviousOriginSecret"
    assert env["Fn::If"][1] == {"Fn::Sub": "${OriginVerifySecret},${OriginVerifySecretPrevious}"}


def test_functions_refuse_requests_without_the_origin_secret(monkeypatch):
    from rezone.api.functions import make_tiles
    from rezone_infra.server import make_event

    handler = make_tiles()

    def call(headers: dict) -> dict:
        return handler(make_event("GET", "/tiles/nope/0/0/0.mvt", "", {"host": "x", **headers}, None), None)

    monkeypatch.delenv("REZONE_ORIGIN_SECRET", raising=False)
    assert call({})["statusCode"] != 403  # not configured (local server): no check
    monkeypatch.setenv("REZONE_ORIGIN_SECRET", "n" * 32 + "," + "o" * 32)  # during a rotation: new, old
    r = call({})
    h = {k.lower(): v for k, v in r["headers"].items()}
    assert r["statusCode"] == 403 and h["content-type"].startswith("application/problem+json")
    assert h["access-control-allow-origin"] == "*" and json.loads(r["body"])["status"] == 403
    assert call({"X-Origin-Verify": "x" * 32})["statusCode"] == 403
    for secret in ("n" * 32, "o" * 32):
        assert call({"X-Origin-Verify": secret})["statusCode"] != 403


def test_webacl_logs_and_reserved_concurrency(tpl):
    dist = _res(tpl, "Distribution")["DistributionConfig"]
    assert dist["WebACLId"] == {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]}
    assert "us-east-1" in tpl["Parameters"]["WebAclArn"]["AllowedPattern"]  # CloudFront WebACLs live there
    assert dist["Logging"]["Bucket"] == {"Fn::GetAtt": "LogsBucket.RegionalDomainName"}
    assert _res(tpl, "ReleasesBucket")["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "LogsBucket"}
    logs = _res(tpl, "LogsBucket")
    assert logs["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == {"Ref": "LogRetentionDays"}
    assert all(logs["PublicAccessBlockConfiguration"].values())
    rc = tpl["Globals"]["Function"]["ReservedConcurrentExecutions"]
    assert rc == {"Fn::If": ["HasReservedConcurrency", {"Ref": "ReservedConcurrency"}, {"Ref": "AWS::NoValue"}]}


BUILD_ONLY = (
    "rasterio",
    "mapbox_vector_tile",
    "mercantile",
    "rezone_build",
    "scipy",
    "pyproj",
    "openpyxl",
    "PIL",
)


@pytest.mark.needs_sources
def test_serving_path_imports_no_build_module(small_release):
    """What the layer does not ship must not be imported: run every function on real events in a
    fresh interpreter and list the build-only modules that got loaded."""
    import subprocess
    import sys

    code = f"""
import json, sys
from pathlib import Path
from rezone import release
from rezone_infra.server import load_handler
release.reset({str(small_release["store"])!r})
events = Path({str(ROOT / "tests" / "events")!r})
route = {{"tile_zonage_amiens": "tiles", "tilejson_zonage": "tiles", "aids": "eligibility",
          "eligibility_post": "eligibility", "eligibility_questions": "eligibility"}}
for f in sorted(events.glob("*.json")):
    r = load_handler(route.get(f.stem, "query"))(json.loads(f.read_text()), None)
    assert r["statusCode"] < 500, (f.name, r)
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({list(BUILD_ONLY)!r}))))
"""
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == []


def test_outputs_used_by_the_deploy_scripts(tpl):
    outputs = set(tpl["Outputs"])
    aws_py = (ROOT / "infra" / "rezone_infra" / "aws.py").read_text()
    publish_sh = (ROOT / "infra" / "publish.sh").read_text()
    used = set(re.findall(r'out\["(\w+)"\]', aws_py)) | set(re.findall(r"outputs \"\$2\" (\w+)", publish_sh))
    assert used and used <= outputs, used - outputs


@needs_sam
@pytest.mark.needs_sources
def test_sam_bundle_runs_every_handler(tmp_path, small_release):
    """The deployable bundle, not the dev venv: sam build the same template for x86_64 (this
    machine's architecture; the arm64 build differs only by its wheels), then answer every event
    fixture from the built function + layer directories alone, in an interpreter without
    site-packages (-S). A serving import the layer's requirements.txt forgot fails here."""
    py312 = shutil.which("python3.12", path=_tool_env()["PATH"])
    if py312 is None:
        pytest.skip("python3.12 not on PATH (sam build needs the runtime's interpreter)")
    text = TEMPLATE.read_text()
    x86 = text.replace("Architectures: [arm64]", "Architectures: [x86_64]").replace(
        "BuildArchitecture: arm64", "BuildArchitecture: x86_64"
    )
    assert x86.count("x86_64") == text.count("x86_64") + 3, "the template's architecture lines changed: update this test"
    (tmp_path / "template.yaml").write_text(x86)
    build = tmp_path / "build"
    r = _run(
        [
            str(SAM_BIN / "sam"),
            "build",
            "--template-file",
            str(tmp_path / "template.yaml"),
            "--base-dir",
            str(ROOT),
            "--build-dir",
            str(build),
        ],
        timeout=600,
    )
    if r.returncode != 0 and re.search(
        r"(?i)NewConnectionError|Network is unreachable|Temporary failure in name resolution",
        r.stdout + r.stderr,
    ):
        pytest.skip("sam build could not reach PyPI for the layer's wheels")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    functions = {"tiles": "TilesFunction", "query": "QueryFunction", "eligibility": "EligibilityFunction"}
    route = {
        "tile_zonage_amiens": "tiles",
        "tilejson_zonage": "tiles",
        "aids": "eligibility",
        "eligibility_post": "eligibility",
        "eligibility_questions": "eligibility",
    }
    code = f"""
import importlib.util, json, os, sys
from pathlib import Path
assert not any("site-packages" in p for p in sys.path), sys.path
os.environ["REZONE_STORE"] = {str(small_release["store"])!r}
layer = {str(build / "RezoneLayer" / "python")!r}
out = {{}}
for name in sorted(Path({str(ROOT / "tests" / "events")!r}).glob("*.json")):
    fn = {route!r}.get(name.stem, "query")
    fn_dir = os.path.join({str(build)!r}, {functions!r}[fn])
    sys.path[:0] = [fn_dir, layer]          # what Lambda puts first: the function, then /opt/python
    spec = importlib.util.spec_from_file_location("app_" + fn, os.path.join(fn_dir, "app.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    resp = mod.handler(json.loads(name.read_text()), None)  # handlers import lazily: paths stay as on Lambda
    del sys.path[:2]
    out[name.stem] = resp["statusCode"]
print(json.dumps(out))
"""
    run = subprocess.run(
        [py312, "-S", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    statuses = json.loads(run.stdout.strip().splitlines()[-1])
    assert statuses.pop("options_preflight") == 204
    assert statuses == {name: 200 for name in statuses}, statuses
