"""The one mapping from exceptions to problem+json answers (RFC 9457, French titles, ``param``).

Domain errors (:mod:`rezone.errors`) carry their title, detail and param; edge errors
(:class:`rezone.http.ApiError`) their status too. Everything else a request can meet is named
here: no published release, a key or archive that cannot be read or is gone (404), a storage failure (503
with ``Retry-After``), and, last, an unexpected error (logged, 500). Both the route tables
(:mod:`rezone.api.routing`) and the Powertools resolvers (:mod:`rezone.api.common`) call it.
"""

from __future__ import annotations

import logging

from rezone.errors import DomainError
from rezone.http import ApiError, problem
from rezone.release import NoRelease
from rezone.storage import InvalidKey, NotFound

__all__ = ["BODY_STATUS", "problem_for"]

log = logging.getLogger("rezone")

# A domain error about a field of a JSON body: the body is well-formed but not processable.
BODY_STATUS = {400: 422, 404: 422}


def problem_for(exc: BaseException, in_body: bool = False) -> dict:
    """The API Gateway v2 problem+json response for ``exc`` (``in_body``: the error is about a body field)."""
    if isinstance(exc, DomainError):
        status = BODY_STATUS.get(exc.status, exc.status) if in_body else exc.status
        return problem(status, exc.title, exc.detail, exc.param)
    if isinstance(exc, ApiError):
        return exc.to_response()
    if isinstance(exc, NoRelease):
        return problem(503, "Aucune version des données publiée", "Lancez « rezone build » pour publier une version.",
                       headers={"Retry-After": "60"})
    if isinstance(exc, InvalidKey):
        return problem(404, "Ressource inconnue", "Ce chemin ne désigne aucun objet de la version.", "path")
    if isinstance(exc, NotFound):  # an object gone from the store (e.g. a pruned release still named by a URL)
        return problem(404, "Ressource introuvable", "Cet objet n'est plus dans le stockage des données.", "path")
    if isinstance(exc, RecursionError):  # json.loads of a deeply nested body
        return problem(400, "Corps JSON invalide", "Le corps JSON est trop imbriqué.", "body")
    if isinstance(exc, UnicodeDecodeError):
        return problem(400, "Corps de requête invalide", "Le corps doit être du texte UTF-8.", "body")
    if isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in ("botocore", "urllib3"):
        log.warning("storage unavailable: %r", exc)
        return problem(503, "Service momentanément indisponible", "Le stockage des données ne répond pas ; "
                       "réessayez dans quelques secondes.", headers={"Retry-After": "5"})
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "Erreur interne", "Une erreur inattendue s'est produite.")
