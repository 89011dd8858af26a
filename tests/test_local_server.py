"""The local server's adapter: routing like the SAM template, API Gateway v2 events, static files."""

from __future__ import annotations

import http.client
import json
import threading

import pytest
from rezone_infra.server import make_event, make_server, route


@pytest.mark.parametrize(
    "path,fn",
    [
        ("/tiles/zonage/5/16/11.mvt", "tiles"),
        ("/tiles/zonage.json", "tiles"),
        ("/v1/eligibility", "eligibility"),
        ("/v1/eligibility/questions", "eligibility"),
        ("/v1/aids", "eligibility"),
        ("/v1/locate", "query"),
        ("/v1/eligibilityx", "query"),
        ("/index.html", None),
        ("/", None),
    ],
)
def test_route(path, fn):
    assert route(path) == fn


def test_event_shape():
    ev = make_event("GET", "/v1/locate", "lat=49.9&lon=2.3&x=1&x=2", {"Host": "h", "User-Agent": "t"}, None)
    assert ev["version"] == "2.0" and ev["rawPath"] == "/v1/locate"
    assert ev["queryStringParameters"] == {"lat": "49.9", "lon": "2.3", "x": "1,2"}
    assert ev["requestContext"]["http"]["method"] == "GET"
    assert ev["headers"]["host"] == "h"
    ev = make_event("POST", "/v1/eligibility", "", {}, b"\xff\xfe")
    assert ev["isBase64Encoded"] is True


@pytest.fixture
def server(tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Rézone</title>")
    (tmp_path / "secret.txt").write_text("no")
    srv = make_server(tmp_path / "empty-store", port=0, web_root=web)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def _get(port, path, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def test_static_files_with_security_headers(server):
    s, h, b = _get(server, "/")
    assert s == 200 and b"R\xc3\xa9zone" in b
    assert "script-src 'self'" in h["content-security-policy"]
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/nope.js"])
def test_static_never_leaves_web_root(server, path):
    s, h, b = _get(server, path)
    assert s == 404 and b"no" != b and "problem+json" in h["content-type"]


def test_oversized_body_and_preflight(server):
    s, h, b = _get(server, "/v1/eligibility", "POST", body=b"x" * 70000, headers={"Content-Type": "application/json"})
    assert s == 413 and json.loads(b)["status"] == 413
    s, h, _ = _get(server, "/v1/eligibility", "OPTIONS")
    assert s == 204 and h["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_unknown_method_is_405_problem(server, method):
    s, h, b = _get(server, "/v1/health", method)
    assert s == 405 and h["content-type"].startswith("application/problem+json")
    assert "GET" in h["allow"] and json.loads(b)["status"] == 405


def test_pooled_instances_are_reused_and_independent():
    """Each request borrows an idle function instance (its own resolver); a returned one is reused."""
    from rezone_infra import server as srv

    ev = make_event("GET", "/v1/health", "", {}, None)
    srv.invoke("query", ev)
    first = srv._idle["query"][-1]
    srv.invoke("query", ev)
    assert srv._idle["query"][-1] is first  # reused, not rebuilt
    assert srv.load_handler("query") is not first  # a new instance is a new resolver


@pytest.mark.needs_sources
def test_resolvers_in_threads_never_cross(live_store):
    """Handler instances of one process in 8 threads, each searching its own communes through the
    query resolver: Powertools keeps the current event on a class shared by every resolver, so
    without the edge's resolve lock answers cross (27 of 1,200 did before it)."""
    import sys

    from rezone.api.functions import make_query

    codes = ["80021", "13055", "80001", "13103"]
    wrong: list = []

    def worker(i: int) -> None:
        handler = make_query()
        for k in range(100):
            code = codes[(i + k) % 4]
            resp = handler(make_event("GET", "/v1/communes", f"q={code}&limit=1", {}, None), None)
            hits = json.loads(resp["body"]).get("results") or [{}]
            if resp["statusCode"] != 200 or hits[0].get("code") != code:
                wrong.append((code, resp["statusCode"], hits[0].get("code")))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
