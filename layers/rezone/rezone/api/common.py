"""The Powertools resolver every JSON function uses: validation, problem+json errors, CORS.

``make_resolver()`` returns an ``APIGatewayHttpResolver`` with request validation (pydantic, which
also generates the OpenAPI 3.1 document) and exception handlers that turn every failure into an
RFC 9457 problem+json with a French title and the offending parameter. ``lambda_entry(app)`` wraps
``app.resolve`` so that every response carries the headers of :mod:`rezone.http` (CORS is set
there and only there) and so that no exception escapes as a bare 500.
"""

from __future__ import annotations

import logging

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from rezone.http import CORS_HEADERS, ApiError, problem, response
from rezone.release import NoRelease

__all__ = ["lambda_entry", "make_resolver", "param_of", "problem_response"]

log = logging.getLogger("rezone")

_LOC_SKIP = {"query", "body", "path", "header", "cookie"}


def param_of(loc) -> str | None:
    """('query', 'lat') → 'lat'; ('body', 'answers', 'age') → 'answers.age'."""
    parts = [str(p) for p in (loc or ()) if str(p) not in _LOC_SKIP]
    return ".".join(parts) or None


def problem_response(status: int, title: str, detail: str | None = None, param: str | None = None,
                     **extra) -> Response:
    raw = problem(status, title, detail, param, **extra)
    return Response(status_code=status, content_type=raw["headers"]["Content-Type"], body=raw["body"],
                    headers={k: v for k, v in raw["headers"].items() if k != "Content-Type"})


def _validation_detail(err: dict) -> str:
    msg = err.get("msg") or "valeur invalide"
    return msg


def make_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {}
        param = param_of(first.get("loc"))
        if first.get("type") == "json_invalid":
            return problem_response(400, "Corps JSON invalide", "Le corps de la requête n'est pas un JSON valide.",
                                    "body")
        invalid = [{"name": param_of(e.get("loc")) or "body", "reason": _validation_detail(e)} for e in errors[:20]]
        status = 422 if (first.get("loc") or ("",))[0] == "body" else 400
        return problem_response(status, "Paramètre invalide", f"{param or 'requête'} : {_validation_detail(first)}",
                                param or "body", invalid_params=invalid)

    @app.exception_handler(RecursionError)
    def _too_deep(exc: RecursionError):  # json.loads of a deeply nested body
        return problem_response(400, "Corps JSON invalide", "Le corps JSON est trop imbriqué.", "body")

    @app.exception_handler(UnicodeDecodeError)
    def _not_utf8(exc: UnicodeDecodeError):  # a body that is not UTF-8 text
        return problem_response(400, "Corps de requête invalide", "Le corps doit être du texte UTF-8.", "body")

    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError):
        return problem_response(exc.status, exc.title, exc.detail, exc.param, **exc.extra)

    @app.exception_handler(NoRelease)
    def _no_release(exc: NoRelease):
        return problem_response(503, "Aucune version des données publiée",
                                "Lancez « rezone build » pour publier une version.")

    @app.not_found
    def _not_found(exc: NotFoundError):
        return problem_response(404, "Ressource introuvable", "Ce chemin n'existe pas dans l'API.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return problem_response(500, "Erreur interne", "Une erreur inattendue s'est produite.")

    return app


def lambda_entry(app: APIGatewayHttpResolver):
    """The Lambda handler for ``app``: resolve, then add the shared headers."""

    def handler(event, context):
        # CORS preflight (OPTIONS reaches the query function through "ANY /v1/{proxy+}"): answered
        # here with the shared CORS headers, like the local server does.
        if ((event.get("requestContext") or {}).get("http") or {}).get("method") == "OPTIONS":
            return response(204)
        try:
            resp = app.resolve(event, context)
        except Exception:  # pragma: no cover - resolver handlers above catch everything
            log.exception("resolver failed")
            resp = problem(500, "Erreur interne", "Une erreur inattendue s'est produite.")
        headers = resp.setdefault("headers", {}) or {}
        for k, v in CORS_HEADERS.items():
            headers.setdefault(k, v)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        resp["headers"] = headers
        return resp

    return handler


