"""A cold-start fast path for ``GET /v1/locate`` that answers without importing Powertools or pydantic.

Importing the Powertools resolver with validation (pydantic) costs several hundred milliseconds,
more than the whole locate cold-start budget (``benchmarks/bench_query.py``). A plain, valid
locate request (exactly ``lat`` and ``lon``, both finite decimal numbers in range) is answered
here by the same library call and the same JSON encoder as the ``/v1/locate`` route; every
other request (other paths, missing, extra or malformed parameters, out-of-range values) goes to
the full resolver, built on first use, so errors and validation stay those of the typed routes
and of the OpenAPI document.
"""

from __future__ import annotations

import math
import re

from rezone.http import SHORT_CACHE, ApiError, json_response
from rezone.release import NoRelease, current

__all__ = ["fast_locate", "with_fast_locate"]

_NUMBER = re.compile(r"^-?\d{1,3}(?:\.\d{1,15})?$")  # what the route accepts for sure, nothing fancier


def fast_locate(event: dict) -> dict | None:
    """The locate answer for a plain valid request, else None (let the resolver answer)."""
    http = (event.get("requestContext") or {}).get("http") or {}
    if event.get("rawPath") != "/v1/locate" or http.get("method") != "GET":
        return None
    qs = event.get("queryStringParameters") or {}
    if set(qs) != {"lat", "lon"} or not (_NUMBER.match(qs["lat"]) and _NUMBER.match(qs["lon"])):
        return None
    lat, lon = float(qs["lat"]), float(qs["lon"])
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    from rezone import locate

    try:
        return json_response(200, locate.locate(current(), lon, lat), SHORT_CACHE)
    except ApiError as exc:
        return exc.to_response()
    except NoRelease:
        return None  # the resolver answers the 503 problem


def with_fast_locate(factory):
    """A Lambda handler: :func:`fast_locate` first, else the handler ``factory()`` builds (once)."""
    full = []

    def handler(event, context):
        resp = fast_locate(event)
        if resp is not None:
            return resp
        if not full:
            full.append(factory())
        return full[0](event, context)

    return handler
