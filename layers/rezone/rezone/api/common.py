"""The Powertools resolver of the JSON functions: request validation, problem+json errors, answers.

``make_resolver()`` returns a NEW ``APIGatewayHttpResolver`` with request validation (pydantic,
which also generates the OpenAPI 3.1 document) whose exception handlers answer through the one
mapping of :func:`rezone.api.errors.problem_for`; request validation failures become 400 (query,
path) or 422 (body) problems naming the field. Routes are added to each resolver by the
``add_routes(app)`` functions of :mod:`rezone.api.query`, :mod:`rezone.api.eligibility` and
:mod:`rezone.api.openapi`, so every resolver owns its routes (the local server runs one per thread).
:func:`ok` and :func:`doc` are the answer and documentation helpers of every route.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from rezone.http import json_response, problem

from .errors import problem_for

__all__ = ["doc", "make_resolver", "ok", "param_of", "to_response"]

_LOC_SKIP = {"query", "body", "path", "header", "cookie"}


def param_of(loc) -> str | None:
    """('query', 'lat') → 'lat'; ('body', 'answers', 'age') → 'answers.age'."""
    parts = [str(p) for p in (loc or ()) if str(p) not in _LOC_SKIP]
    return ".".join(parts) or None


def to_response(raw: dict) -> Response:
    """A Powertools Response from an API Gateway v2 response dict (rezone.http)."""
    headers = {k: v for k, v in raw["headers"].items() if k != "Content-Type"}
    return Response(status_code=raw["statusCode"], content_type=raw["headers"].get("Content-Type"),
                    body=raw["body"], headers=headers)


def ok(payload, cache: str | None = None) -> Response:
    """A 200 JSON answer (strict JSON, shared headers), with ``Cache-Control: cache`` if given."""
    return to_response(json_response(200, payload, cache))


def doc(model, description: str) -> dict:
    """``responses=`` of a route: its 200 model (documented, not re-validated); its errors are listed once, in
    :data:`rezone.api.openapi.ERRORS`."""
    return {200: {"description": description, "content": {"application/json": {"model": model}}}}


def _validation_problem(exc: RequestValidationError) -> dict:
    errors = exc.errors()
    first = errors[0] if errors else {}
    param = param_of(first.get("loc"))
    if first.get("type") == "json_invalid":
        return problem(400, "Corps JSON invalide", "Le corps de la requête n'est pas un JSON valide.", "body")
    invalid = [{"name": param_of(e.get("loc")) or "body", "reason": e.get("msg") or "valeur invalide"}
               for e in errors[:20]]
    status = 422 if (first.get("loc") or ("",))[0] == "body" else 400
    return problem(status, "Paramètre invalide", f"{param or 'requête'} : {first.get('msg') or 'valeur invalide'}",
                   param or "body", invalid_params=invalid)


def make_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError):
        return to_response(_validation_problem(exc))

    @app.not_found
    def _not_found(exc: NotFoundError):
        return to_response(problem(404, "Ressource introuvable", "Ce chemin n'existe pas dans l'API.", "path"))

    @app.exception_handler(Exception)
    def _any(exc: Exception):
        return to_response(problem_for(exc, in_body=app.current_event.http_method == "POST"))

    return app
