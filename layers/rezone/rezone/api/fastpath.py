"""The query function's route table: ``GET /v1/locate`` answered without Powertools or pydantic.

Importing the Powertools resolver with validation (pydantic) costs several hundred milliseconds,
more than the whole locate cold-start budget (``benchmarks/bench_query.py``). A plain locate
request (exactly ``lat`` and ``lon``, both plain decimal numbers) is answered here by the same
library call and the same JSON encoder as the ``/v1/locate`` route of :mod:`rezone.api.query`;
ranges are checked once, by the core (:func:`rezone.locate.check_point`), and its errors mapped
like every other. Any other request (other parameters, malformed numbers) goes to the resolver,
so its validation errors stay those of the typed routes and of the OpenAPI document.
"""

from __future__ import annotations

import re

from rezone.http import SHORT_CACHE, json_response
from rezone.release import current

from .routing import Request, route

__all__ = ["ROUTES", "locate"]

_NUMBER = re.compile(r"^-?\d{1,3}(?:\.\d{1,15})?$")  # what the route accepts for sure, nothing fancier


def locate(req: Request) -> dict | None:
    """The locate answer of a plain request, else None (the resolver answers)."""
    qs = req.query
    if set(qs) != {"lat", "lon"} or not (_NUMBER.match(qs["lat"]) and _NUMBER.match(qs["lon"])):
        return None
    from rezone import locate

    return json_response(200, locate.locate(current(), float(qs["lon"]), float(qs["lat"])), SHORT_CACHE)


ROUTES = (route("GET", "/v1/locate", locate),)
