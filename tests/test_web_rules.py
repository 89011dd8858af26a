"""The web client's cache and compression rules (rezone_infra.web_rules): one table, applied the
same way by the local server and by the CDN upload (moto S3), and the encodings actually sent."""

from __future__ import annotations

import gzip
import http.client
import shutil
import subprocess
import threading
import zlib
from pathlib import Path

import pytest
from rezone_infra import web_rules
from rezone_infra.aws import upload_web
from rezone_infra.server import make_server

ROOT = Path(__file__).resolve().parents[1]
moto = pytest.importorskip("moto")
JS = ("/* Rézone */ " + "function f(a){return a*2}\n" * 400).encode()  # compressible, > 256 bytes


@pytest.mark.parametrize("name,expected", [
    ("index.html", "no-cache"),
    ("embed.html", "no-cache"),
    ("app-DEKRIRE7.js", "public, max-age=31536000, immutable"),
    ("style-OCDTMYX5.css", "public, max-age=31536000, immutable"),
    ("chunk-2Q7ZK3AB.js", "public, max-age=31536000, immutable"),
    ("app.js", "public, max-age=3600"),            # no content hash: may change under the same name
    ("app-dekrire7.js", "public, max-age=3600"),   # not esbuild's hash alphabet
    ("favicon.svg", "public, max-age=3600"),
])
def test_cache_rules(name, expected):
    assert web_rules.cache_control(name) == expected


@pytest.mark.parametrize("header,expected", [
    (None, None),
    ("", None),
    ("identity", None),
    ("gzip, deflate, br, zstd", "br"),
    ("gzip", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("gzip;q=0.5, br;q=0.4", "gzip"),
    ("*", "br"),
    ("*;q=0.1, br;q=0", "gzip"),
    ("GZIP;Q=1", "gzip"),
])
def test_negotiate(header, expected):
    assert web_rules.negotiate(header) == expected


@pytest.fixture
def dist(tmp_path):
    d = tmp_path / "dist"
    d.mkdir()
    (d / "index.html").write_text("<!doctype html><title>Rézone</title>" + "<p>x</p>" * 100)
    (d / "app-ABCDEFG2.js").write_bytes(JS)
    (d / "chunk-ZZZZ2345.js").write_bytes(JS.replace(b"f(a)", b"g(a)"))  # no sidecar: gzip on the fly
    (d / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")  # small: never compressed
    # the sidecars web/build.mjs writes
    (d / "app-ABCDEFG2.js.gz").write_bytes(gzip.compress(JS))
    if shutil.which("node"):
        script = ("const z=require('zlib'),f=require('fs');"
                  "f.writeFileSync(process.argv[1]+'.br', z.brotliCompressSync(f.readFileSync(process.argv[1])))")
        subprocess.run(["node", "-e", script, str(d / "app-ABCDEFG2.js")], check=True)
        (d / "index.html.br").write_bytes(b"not used: the server checks it is not older than index.html")
        import os

        os.utime(d / "index.html.br", ns=(1, 1))
    return d


@pytest.fixture
def server(dist, tmp_path):
    srv = make_server(tmp_path / "empty-store", port=0, web_root=dist)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def _get(port, path, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # a cold handler on a busy machine
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def _brotli_decode(data: bytes) -> bytes:
    script = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run(["node", "-e", script], input=data, capture_output=True, check=True).stdout


def test_local_server_and_cdn_upload_use_the_same_rules(server, dist, monkeypatch):
    """Every file of the client gets the same Content-Type and Cache-Control from both."""
    import boto3

    for k, v in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(k, v)
    with moto.mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="rezone-web", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        keys = upload_web(dist, "rezone-web", s3)
        assert not any(web_rules.is_sidecar(k) for k in keys)  # CloudFront compresses by itself
        assert len(keys) == 4
        for key in keys:
            name = key.removeprefix("web/")
            head = s3.head_object(Bucket="rezone-web", Key=key)
            status, h, _ = _get(server, "/" + name, {"Accept-Encoding": "gzip, br"})
            assert status == 200
            assert h["cache-control"] == head["CacheControl"] == web_rules.cache_control(name)
            assert h["content-type"] == head["ContentType"]
    assert web_rules.cache_control("index.html") == "no-cache"
    assert "immutable" in web_rules.cache_control("app-ABCDEFG2.js")


@pytest.mark.skipif(not shutil.which("node"), reason="node decodes brotli here")
def test_brotli_sidecar_gzip_and_identity(server):
    s, h, b = _get(server, "/app-ABCDEFG2.js", {"Accept-Encoding": "gzip, deflate, br"})
    assert s == 200 and h["content-encoding"] == "br" and h["vary"] == "Accept-Encoding"
    assert int(h["content-length"]) == len(b) < len(JS) / 5
    assert _brotli_decode(b) == JS
    assert h["cache-control"] == "public, max-age=31536000, immutable"
    s, h, b = _get(server, "/app-ABCDEFG2.js", {"Accept-Encoding": "gzip"})
    assert h["content-encoding"] == "gzip" and gzip.decompress(b) == JS
    s, h, b = _get(server, "/app-ABCDEFG2.js")
    assert "content-encoding" not in h and b == JS and h["vary"] == "Accept-Encoding"


def test_gzip_on_the_fly_stale_sidecar_and_small_files(server, dist):
    s, h, b = _get(server, "/chunk-ZZZZ2345.js", {"Accept-Encoding": "br, gzip"})  # no sidecar: gzip
    assert h["content-encoding"] == "gzip" and zlib.decompress(b, 31) == (dist / "chunk-ZZZZ2345.js").read_bytes()
    s, h, b = _get(server, "/", {"Accept-Encoding": "br, gzip"})  # index.html.br is older: ignored
    assert h["content-encoding"] == "gzip" and gzip.decompress(b) == (dist / "index.html").read_bytes()
    assert h["cache-control"] == "no-cache"
    s, h, b = _get(server, "/favicon.svg", {"Accept-Encoding": "br, gzip"})
    assert s == 200 and "content-encoding" not in h and "vary" not in h and b.startswith(b"<svg")


def test_index_revalidates_with_etag(server):
    s, h, _ = _get(server, "/", {"Accept-Encoding": "gzip"})
    etag = h["etag"]
    s, h2, b = _get(server, "/", {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert s == 304 and b == b"" and h2["etag"] == etag
    s, h3, b = _get(server, "/", {"If-None-Match": etag})  # another representation: not that ETag
    assert s == 200 and b.startswith(b"<!doctype html>") and h3["etag"] != etag


def test_sidecars_are_not_served_by_name(server):
    s, h, _ = _get(server, "/app-ABCDEFG2.js.gz")
    assert s == 404 and "problem+json" in h["content-type"]


def test_web_build_writes_sidecars_for_text_files():
    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").is_file():
        pytest.skip("web/dist is not built (scripts/setup.sh)")
    apps = list(dist.glob("app-*.js"))
    assert apps, "no app-<hash>.js in web/dist"
    for f in [*apps, *dist.glob("style-*.css")]:
        assert gzip.decompress((f.parent / (f.name + ".gz")).read_bytes()) == f.read_bytes()
        if shutil.which("node"):
            assert _brotli_decode((f.parent / (f.name + ".br")).read_bytes()) == f.read_bytes()


def test_api_answers_compressed_like_the_cdn(server):
    """/v1 answers are gzip when the client accepts it (CloudFront's Compress: true), identity
    otherwise; /tiles answers are passed through untouched (tiles are gzip at rest)."""
    s, h, plain = _get(server, "/v1/openapi.json")
    assert s == 200 and "content-encoding" not in h and len(plain) > 1000
    s, h, b = _get(server, "/v1/openapi.json", {"Accept-Encoding": "gzip, deflate, br"})
    assert h["content-encoding"] == "gzip" and "Accept-Encoding" in h["vary"]
    assert gzip.decompress(b) == plain and len(b) < len(plain) / 3
    s, h, b = _get(server, "/v1/health", {"Accept-Encoding": "gzip"})  # a few bytes: not worth it
    assert "content-encoding" not in h
    s, h, b = _get(server, "/tiles/nope.json", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in h and s >= 400  # (an empty store here)
    assert web_rules.api_encoding("/v1/x", {"Content-Type": "application/problem+json"}, 5000, "gzip") == "gzip"
    assert web_rules.api_encoding("/v1/x", {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                                  5000, "gzip") is None
    assert web_rules.api_encoding("/tiles/x.json", {"Content-Type": "application/json"}, 5000, "gzip") is None
