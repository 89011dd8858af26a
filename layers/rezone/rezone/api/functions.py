"""The three Lambda functions, each ONE entry point built the same way (:func:`rezone.api.routing.lambda_entry`).

=============  ==========================================  =====================================
function       route table (standard library)              resolver (Powertools, built on first use)
=============  ==========================================  =====================================
tiles          :data:`rezone.api.tiles.ROUTES`             none
query          :data:`rezone.api.fastpath.ROUTES` (locate)  query + OpenAPI routes
eligibility    none (body guard first)                     eligibility routes
=============  ==========================================  =====================================

``make_*()`` builds a new, independent handler (its own resolver and routes): the local server
gives each thread its own; ``functions/<name>/app.py`` exposes the module-level ones. Each is
wrapped here, in one place, by :func:`rezone.api.observability.instrument` (JSON logs, EMF metrics).
"""

from __future__ import annotations

from . import fastpath
from . import tiles as tiles_routes
from .observability import instrument
from .routing import json_body_guard, lambda_entry

__all__ = ["FUNCTIONS", "eligibility", "make_eligibility", "make_query", "make_tiles", "query", "tiles"]


def _query_app():
    from . import openapi, query
    from .common import make_resolver

    app = make_resolver()
    query.add_routes(app)
    openapi.add_routes(app)
    return app


def _eligibility_app():
    from . import eligibility
    from .common import make_resolver

    app = make_resolver()
    eligibility.add_routes(app)
    return app


def make_tiles():
    return instrument("tiles", lambda_entry(tiles_routes.ROUTES, guard=tiles_routes.guard))


def make_query(fast: bool = True):
    """``fast=False``: without the route table (every request through the resolver), for comparisons."""
    return instrument("query", lambda_entry(fastpath.ROUTES if fast else (), _query_app))


def make_eligibility():
    return instrument("eligibility", lambda_entry((), _eligibility_app, guard=json_body_guard))


FUNCTIONS = {"tiles": make_tiles, "query": make_query, "eligibility": make_eligibility}

tiles = make_tiles()
query = make_query()
eligibility = make_eligibility()
