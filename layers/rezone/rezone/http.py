"""HTTP responses in API Gateway HTTP API (payload v2) shape, shared by every handler.

CORS is set here and only here (not in API Gateway, not in CloudFront): every response, success
or error, goes through :func:`response`. Errors are RFC 9457 problem+json with a French title.
"""

from __future__ import annotations

import base64
import json
import math

__all__ = [
    "CORS_HEADERS",
    "IMMUTABLE",
    "NO_STORE",
    "SHORT_CACHE",
    "ApiError",
    "json_response",
    "problem",
    "response",
]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, If-None-Match",
    "Access-Control-Expose-Headers": "ETag",
    "Access-Control-Max-Age": "86400",
}
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=60"
NO_STORE = "no-store"

PROBLEM_TYPE = "about:blank"  # RFC 9457 §4.2.1: the status code says it all; the title is in French


def response(
    status: int,
    body: bytes | str = b"",
    content_type: str | None = None,
    headers: dict | None = None,
) -> dict:
    """An API Gateway v2 response; bytes bodies are base64-encoded."""
    h = dict(CORS_HEADERS)
    h["X-Content-Type-Options"] = "nosniff"
    if content_type:
        h["Content-Type"] = content_type
    if headers:
        h.update(headers)
    if status >= 400 or status == 204:
        h.setdefault("Cache-Control", NO_STORE)
    out = {"statusCode": status, "headers": h}
    if isinstance(body, bytes):
        out["body"] = base64.b64encode(body).decode("ascii") if body else ""
        out["isBase64Encoded"] = bool(body)
    else:
        out["body"] = body
        out["isBase64Encoded"] = False
    return out


def _clean(obj):
    """Replace non-finite floats by None so the JSON is strict."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def json_response(status: int, payload, cache_control: str | None = None, headers: dict | None = None) -> dict:
    h = dict(headers or {})
    if cache_control and status < 400:
        h["Cache-Control"] = cache_control
    body = json.dumps(_clean(payload), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return response(status, body, "application/json; charset=utf-8", h)


class ApiError(Exception):
    """An error of the HTTP edge itself (rezone.api): raise it in a route to answer a problem+json.

    The core raises the domain errors of :mod:`rezone.errors` instead; both are mapped to a response
    by :func:`rezone.api.errors.problem_for`.
    """

    def __init__(self, status: int, title: str, detail: str | None = None, param: str | None = None, **extra):
        super().__init__(title)
        self.status, self.title, self.detail, self.param = status, title, detail, param
        self.extra = extra

    def to_response(self) -> dict:
        return problem(self.status, self.title, self.detail, self.param, **self.extra)


def problem(status: int, title: str, detail: str | None = None, param: str | None = None,
            instance: str | None = None, headers: dict | None = None, **extra) -> dict:
    """An RFC 9457 problem+json response (``type`` about:blank, French ``title``, the ``param`` at fault)."""
    body = {"type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if param:
        body["param"] = param
        body.setdefault("invalid_params", [{"name": param, "reason": detail or title}])
    if instance:
        body["instance"] = instance
    body.update(extra)
    text = json.dumps(_clean(body), ensure_ascii=False)
    return response(status, text, "application/problem+json; charset=utf-8", headers)
