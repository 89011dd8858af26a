"""The shape every function is routed with: a table of routes, one dispatcher, one Lambda entry.

A function is a tuple of :class:`Route` (method, path template, endpoint) answered by the standard
library alone, optionally backed by a Powertools resolver (typed, validating routes; built on
first use so a cold start that only needs the table never imports pydantic). :func:`lambda_entry`
turns that into the Lambda handler: CORS preflight, the route table, then the resolver, every
exception mapped to problem+json by :func:`rezone.api.errors.problem_for`, and the shared headers
of :mod:`rezone.http` on every answer.

An endpoint takes a :class:`Request` and returns an API Gateway v2 response, or None to hand the
request to the resolver (a fast path that only answers the plain, valid case).

Behind CloudFront, the functions answer only requests that came through it: when
``REZONE_ORIGIN_SECRET`` is set (comma-separated accepted values: the current secret, and the
previous one during a rotation), a request without a matching ``X-Origin-Verify`` header gets a 403
problem+json before anything else (:func:`origin_check`). Unset (the local server, tests): no check.
"""

from __future__ import annotations

import hmac
import os
import re
import threading
from collections.abc import Callable
from typing import NamedTuple

from rezone.http import CORS_HEADERS, problem, response

from .errors import problem_for

__all__ = ["MAX_BODY", "ORIGIN_HEADER", "Request", "Route", "dispatch", "json_body_guard", "lambda_entry",
           "origin_check", "route"]

_PARAM = re.compile(r"\{(\w+)\}")
MAX_BODY = 64 * 1024  # bytes of a request body (the eligibility POST)
ORIGIN_HEADER = "x-origin-verify"


class Request(NamedTuple):
    event: dict
    method: str
    path: str
    params: dict[str, str]  # path parameters of the route
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names


class Route(NamedTuple):
    method: str
    template: str  # "/tiles/{tileset}/{z}/{x}/{y}.{ext}": each {name} is one path segment part
    pattern: re.Pattern
    endpoint: Callable[[Request], dict | None]


def route(method: str, template: str, endpoint: Callable[[Request], dict | None]) -> Route:
    """A route; ``{name}`` matches any text without ``/`` (the endpoint validates it)."""
    regex = "".join(
        f"(?P<{part}>[^/]*?)" if i % 2 else re.escape(part) for i, part in enumerate(_PARAM.split(template))
    )
    return Route(method, template, re.compile(f"^{regex}$"), endpoint)


def dispatch(routes: tuple[Route, ...], event: dict) -> dict | None:
    """The answer of the first route matching the event's path and method; 405 when a route matches
    the path only; None when no route answers (no match, or the endpoint deferred)."""
    http = (event.get("requestContext") or {}).get("http") or {}
    method = (http.get("method") or "GET").upper()
    path = event.get("rawPath") or http.get("path") or ""
    path_matched = False
    for r in routes:
        m = r.pattern.match(path)
        if m is None:
            continue
        if r.method != method and not (method == "HEAD" and r.method == "GET"):
            path_matched = True
            continue
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        return r.endpoint(Request(event, method, path, m.groupdict(), event.get("queryStringParameters") or {},
                                  headers))
    if path_matched:
        return problem(405, "Méthode non autorisée", f"{method} n'est pas accepté sur ce chemin.", "method")
    return None


def origin_check(event: dict) -> dict | None:
    """403 problem+json unless the request carries an accepted ``X-Origin-Verify`` (when one is configured)."""
    accepted = [v.strip() for v in os.environ.get("REZONE_ORIGIN_SECRET", "").split(",") if v.strip()]
    if not accepted:
        return None
    got = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == ORIGIN_HEADER), "")
    if any(hmac.compare_digest(got.encode(), a.encode()) for a in accepted):
        return None
    return problem(403, "Accès direct refusé", "Ce service répond seulement via son adresse publique (CDN).", None)


# Powertools keeps the event being resolved on the BaseRouter *class* (``BaseRouter.current_event``),
# shared by every resolver of the process: two resolvers answering at once in two threads read each
# other's query strings. Lambda sends one request at a time to an environment; the local server's
# threads take this lock around the resolver step (route tables and fast paths stay concurrent).
_RESOLVE_LOCK = threading.Lock()


def _not_found(event: dict) -> dict:
    return problem(404, "Ressource introuvable", "Ce chemin n'existe pas dans l'API.", "path")


def lambda_entry(routes: tuple[Route, ...], make_app: Callable[[], object] | None = None,
                 guard: Callable[[dict], dict | None] | None = None):
    """The Lambda handler of a function: ``guard`` (checks before any parsing), the route table,
    then the resolver ``make_app()`` builds on first use; never raises."""
    app: list = []
    lock = threading.Lock()

    def resolver():
        if not app:
            with lock:
                if not app:
                    app.append(make_app())
        return app[0]

    def handler(event, context):
        try:
            resp = origin_check(event)
            if resp is not None:
                return _finish(resp)
            method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "GET")
            if method == "OPTIONS":  # CORS preflight: the shared CORS headers, like the local server
                return response(204)
            resp = guard(event) if guard else None
            if resp is None:
                resp = dispatch(routes, event)
            if resp is None:
                if make_app:
                    app_ = resolver()
                    with _RESOLVE_LOCK:
                        resp = app_.resolve(event, context)
                else:
                    resp = _not_found(event)
        except Exception as exc:  # noqa: BLE001 - every failure is a problem+json, never a bare 500
            resp = problem_for(exc)
        return _finish(resp)

    return handler


def _finish(resp: dict) -> dict:
    """The shared headers of every answer (CORS, nosniff)."""
    headers = resp.get("headers") or {}
    for k, v in CORS_HEADERS.items():
        headers.setdefault(k, v)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    resp["headers"] = headers
    return resp


def json_body_guard(event: dict, limit: int = MAX_BODY) -> dict | None:
    """Checks made before the resolver parses the body: a body over ``limit`` bytes gets a 413 problem;
    a POST whose Content-Type is not JSON a 415 problem (the resolver would otherwise fail on it)."""
    body = event.get("body") or ""
    size = len(body)
    if size > limit // 4:  # only then can the byte size exceed the limit
        if event.get("isBase64Encoded"):
            size = len(body) * 3 // 4 - body[-2:].count("=")
        else:
            size = len(body.encode("utf-8", "surrogatepass"))
    if size > limit:
        return problem(
            413,
            "Corps de requête trop volumineux",
            f"Le corps de la requête dépasse {limit} octets.",
            "body",
        )
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if method == "POST" and ctype and ctype != "application/json" and not ctype.endswith("+json"):
        return problem(
            415,
            "Type de contenu non pris en charge",
            f"Le corps doit être du JSON (Content-Type: application/json), pas « {ctype} ».",
            "content-type",
        )
    return None
