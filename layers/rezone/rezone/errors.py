"""Domain errors: what the core raises when a request cannot be answered.

Core modules (locate, territories, facilities, location, tiles reading) take typed values and
raise these small exceptions; they know nothing of HTTP. Each carries a French ``title`` (shown to
users), a French ``detail`` and the ``param`` (input) at fault. The edge maps them to problem+json
in exactly one place (:func:`rezone.api.errors.problem_for`); ``status`` is the class of answer
that mapping gives (the HTTP status of the public contract), kept on the class so that callers
and tests can tell the kinds apart without importing the edge.
"""

from __future__ import annotations

__all__ = ["DomainError", "InvalidInput", "OutOfRange", "OutsideFrance", "Unavailable", "Unknown"]


class DomainError(Exception):
    """Base of every domain error."""

    status = 400
    title = "Requête invalide"

    def __init__(self, detail: str, param: str | None = None, title: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.param = param
        if title is not None:
            self.title = title

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.title!r}, {self.detail!r}, param={self.param!r})"


class InvalidInput(DomainError):
    """A value that is malformed or not one of the known values (a code, a type, a bbox)."""


class OutOfRange(InvalidInput):
    """A number outside its range (latitude, longitude, box size, zoom)."""


class Unknown(DomainError):
    """A well-formed reference this release does not know (territory, commune, tileset, style)."""

    status = 404
    title = "Ressource inconnue"


class OutsideFrance(Unknown):
    """A point in no commune of the release (at sea, abroad, outside the built départements)."""

    title = "Aucune commune à cet endroit"


class Unavailable(DomainError):
    """The release lacks what the request needs (no catalogue, no locate index)."""

    status = 503
    title = "Service momentanément indisponible"
