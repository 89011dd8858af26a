"""Deploy helpers (infra/rezone_infra/aws.py) under moto, and infra/publish.sh on a local store."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from rezone_infra.aws import WEB_PREFIX, invalidate, stack_outputs, upload_web

ROOT = Path(__file__).resolve().parents[1]
moto = pytest.importorskip("moto")


@pytest.fixture
def aws(monkeypatch):
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }.items():
        monkeypatch.setenv(k, v)
    with moto.mock_aws():
        yield


def test_stack_outputs(aws):
    import boto3

    cfn = boto3.client("cloudformation")
    tpl = {
        "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "rezone-rel"}}},
        "Outputs": {
            "ReleasesBucket": {"Value": {"Ref": "B"}},
            "StoreUrl": {"Value": {"Fn::Sub": "s3://${B}/rezone"}},
        },
    }
    cfn.create_stack(StackName="rezone", TemplateBody=json.dumps(tpl))
    assert stack_outputs("rezone", cfn) == {
        "ReleasesBucket": "rezone-rel",
        "StoreUrl": "s3://rezone-rel/rezone",
    }


def test_upload_web_types_cache_and_stale_files(aws, tmp_path):
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="rezone-web", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    s3.put_object(Bucket="rezone-web", Key=WEB_PREFIX + "old.js", Body=b"stale")
    s3.put_object(Bucket="rezone-web", Key="rezone/manifest.json", Body=b"{}")  # outside web/: untouched
    dist = tmp_path / "dist"
    (dist / "img").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><script src=app.js></script>")
    (dist / "app.js").write_text("console.log(1)")
    (dist / "img" / "logo.svg").write_text("<svg/>")
    keys = upload_web(dist, "rezone-web", s3)
    assert sorted(keys) == ["web/app.js", "web/img/logo.svg", "web/index.html"]
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="rezone-web")["Contents"])
    assert listed == ["rezone/manifest.json", "web/app.js", "web/img/logo.svg", "web/index.html"]
    h = s3.head_object(Bucket="rezone-web", Key="web/index.html")
    assert h["ContentType"] == "text/html; charset=utf-8" and h["CacheControl"] == "no-cache"
    h = s3.head_object(Bucket="rezone-web", Key="web/app.js")
    assert "javascript" in h["ContentType"] and h["CacheControl"] == "public, max-age=3600"  # unhashed name
    with pytest.raises(FileNotFoundError):
        upload_web(tmp_path / "nothing", "rezone-web", s3)


def test_invalidate_sends_the_paths():
    calls = []

    class FakeCloudFront:
        def create_invalidation(self, **kw):
            calls.append(kw)
            return {"Invalidation": {"Id": "I123"}}

    assert invalidate("E1", ["/", "/app.js"], FakeCloudFront()) == "I123"
    batch = calls[0]["InvalidationBatch"]
    assert calls[0]["DistributionId"] == "E1" and batch["Paths"] == {"Quantity": 2, "Items": ["/", "/app.js"]}


def _fake_release(root: Path, version: str) -> Path:
    d = root / version
    (d / "facts").mkdir(parents=True)
    (d / "facts" / "80.json").write_text("{}")
    (d / "release.json").write_text(json.dumps({"version": version}))
    return d


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "rezone").exists(), reason="needs .venv/bin/rezone")
def test_publish_script_publishes_and_rolls_back(tmp_path):
    store = tmp_path / "store"
    env = {**os.environ, "PATH": os.environ.get("PATH", "")}

    def run(*args):
        r = subprocess.run(
            ["bash", str(ROOT / "infra" / "publish.sh"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    run("--store", str(store), "--release", str(_fake_release(tmp_path / "b", "v1")))
    out = run("--store", str(store), "--release", str(_fake_release(tmp_path / "b", "v2")))
    assert json.loads(out[out.index("{") :])["current"] == "v2"
    out = run("--store", str(store), "--rollback")
    assert json.loads(out[out.index("{") :])["current"] == "v1"
    r = subprocess.run(
        ["bash", str(ROOT / "infra" / "publish.sh")], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert r.returncode == 2 and "usage" in r.stderr
