"""Query function: health, locate, communes, territories, facilities, OpenAPI (rezone.api.query).

A plain valid ``GET /v1/locate`` is answered before the Powertools resolver is even imported
(rezone.api.fastpath: cold start); everything else goes through the typed, validating resolver.
"""

from rezone.api.fastpath import with_fast_locate


def make_handler():
    from rezone.api.common import lambda_entry, make_resolver
    from rezone.api.query import router

    app = make_resolver()
    app.include_router(router)
    return lambda_entry(app)


handler = with_fast_locate(make_handler)
