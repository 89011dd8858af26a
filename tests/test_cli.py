"""``rezone`` CLI: every command ends with one line and exit code 0, 1 (user error) or 2 (usage).

Releases here are hand-made minimal release directories (``release.json`` naming the version plus
one artifact), published with the real ``rezone publish``; S3 stores are moto buckets.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rezone_infra import cli
from rezone_infra.cli import main


def make_release(root, version: str):
    d = root / version
    (d / "tiles").mkdir(parents=True)
    (d / "tiles" / "zonage.json").write_text('{"tilejson": "3.0.0"}')
    (d / "release.json").write_text(json.dumps({"version": version}))
    return d


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_version(capsys):
    from importlib.metadata import version

    rc, out, _ = run(capsys, "--version")
    assert rc == 0
    assert one_line(out) == f"rezone {version('rezone')}"


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["releases", "--bogus"], ["serve", "--port", "http"]])
def test_usage_errors_exit_2(capsys, argv):
    rc, out, err = run(capsys, *argv)
    assert rc == 2
    assert "error:" in err.splitlines()[-1] and "Traceback" not in err
    assert out == ""


def test_publish_releases_rollback_round_trip(capsys, tmp_path):
    store = tmp_path / "store"
    for v in ("v1", "v2"):
        rc, out, err = run(capsys, "publish", str(make_release(tmp_path / "rel", v)), "--store", str(store))
        assert (rc, one_line(out), err) == (0, f"published {v} to {store}", "")
    rc, out, _ = run(capsys, "releases", "--store", str(store))
    assert rc == 0
    lines = out.splitlines()
    assert [line.split()[:3] for line in lines[:2]] == [["*", "v2", "complete"], ["v1", "complete", "1"]]
    assert lines[0].endswith("live") and lines[1].endswith("rollback")
    assert lines[2:] == ["current release: v2, 1 earlier"]
    rc, out, _ = run(capsys, "releases", "--store", str(store), "--quiet")
    assert (rc, out) == (0, "current release: v2, 1 earlier\n")
    rc, out, _ = run(capsys, "releases", "--store", str(store), "--json")
    assert json.loads(out)["current"] == "v2"
    rc, out, _ = run(capsys, "rollback", "--store", str(store))
    assert (rc, one_line(out)) == (0, "current release is now v1")
    rc, out, _ = run(capsys, "-q", "rollback", "--store", str(store), "--to", "v2")
    assert (rc, one_line(out)) == (0, "current release is now v2")


def test_rollback_to_unknown_version_is_a_user_error(capsys, tmp_path):
    store = tmp_path / "store"
    run(capsys, "publish", str(make_release(tmp_path / "rel", "v1")), "--store", str(store))
    rc, out, err = run(capsys, "rollback", "--store", str(store), "--to", "v0-nope")
    assert rc == 1 and out == ""
    line = one_line(err)
    assert line.startswith("rezone rollback: ") and "v0-nope" in line
    assert json.loads((store / "manifest.json").read_text())["current"] == "v1"  # nothing flipped


def test_rollback_without_history_is_a_user_error(capsys, tmp_path):
    store = tmp_path / "store"
    run(capsys, "publish", str(make_release(tmp_path / "rel", "v1")), "--store", str(store))
    rc, _, err = run(capsys, "rollback", "--store", str(store))
    assert rc == 1
    assert one_line(err).startswith("rezone rollback: no earlier complete release")


@pytest.mark.parametrize("cmd", [["rollback"], ["releases"], ["rollback", "--to", "v1"]])
def test_missing_local_store_is_a_user_error(capsys, tmp_path, cmd):
    missing = tmp_path / "no-such-store"
    rc, out, err = run(capsys, *cmd, "--store", str(missing))
    assert rc == 1 and out == ""
    assert one_line(err) == f"rezone {cmd[0]}: store {missing} does not exist (build or publish a release first)"
    assert not missing.exists()


def test_store_that_is_a_file_is_a_user_error(capsys, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    rc, _, err = run(capsys, "publish", str(make_release(tmp_path / "rel", "v1")), "--store", str(f))
    assert rc == 1
    assert one_line(err) == f"rezone publish: store {f} is not a directory"


def test_publish_of_missing_or_incomplete_release_is_a_user_error(capsys, tmp_path):
    rc, _, err = run(capsys, "publish", str(tmp_path / "nope"), "--store", str(tmp_path / "store"))
    assert rc == 1 and one_line(err) == f"rezone publish: {tmp_path / 'nope'}: no such release directory"
    (tmp_path / "half").mkdir()
    rc, _, err = run(capsys, "publish", str(tmp_path / "half"), "--store", str(tmp_path / "store"))
    assert rc == 1 and "release.json" in one_line(err)
    assert not (tmp_path / "store" / "manifest.json").exists()


def test_s3_store_without_bucket_is_a_user_error(capsys, monkeypatch):
    moto = pytest.importorskip("moto")
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(k, v)
    with moto.mock_aws():
        rc, out, err = run(capsys, "releases", "--store", "s3://no-such-bucket/rezone")
    assert rc == 1 and out == ""
    line = one_line(err)
    assert line.startswith("rezone releases: ") and "NoSuchBucket" in line


def test_unexpected_error_is_one_line_unless_traceback(capsys, tmp_path, monkeypatch):
    from rezone_build import publish

    def broken(store, to=None):
        raise TypeError("boom\nsecond line")

    monkeypatch.setattr(publish, "rollback", broken)
    (tmp_path / "store").mkdir()
    rc, _, err = run(capsys, "rollback", "--store", str(tmp_path / "store"))
    assert rc == 1 and one_line(err) == "rezone rollback: TypeError: boom second line"
    rc, _, err = run(capsys, "rollback", "--store", str(tmp_path / "store"), "--traceback")
    assert rc == 1 and "Traceback" in err and err.strip().endswith("rezone rollback: TypeError: boom second line")


def test_cli_error_carries_its_exit_code(capsys, monkeypatch):
    def refuse(a):
        raise cli.CliError("nothing to do here", code=2)

    monkeypatch.setattr(cli, "_cmd_releases", refuse)
    rc, _, err = run(capsys, "releases")
    assert (rc, one_line(err)) == (2, "rezone releases: nothing to do here")


def test_console_script_exit_code_and_message(tmp_path):
    """The installed entry point: a real process, a real exit status, no traceback."""
    r = subprocess.run([sys.executable, "-m", "rezone_infra.cli", "rollback", "--store", str(tmp_path / "x")],
                       check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stdout == ""
    assert one_line(r.stderr).startswith("rezone rollback: store ")
