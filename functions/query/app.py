"""Query function: health, locate, communes, territories, facilities, OpenAPI (rezone.api.functions.query).

A plain valid ``GET /v1/locate`` is answered by the route table before the Powertools resolver is
even imported (rezone.api.fastpath: cold start); everything else goes through the typed resolver.
"""

from rezone.api.functions import query as handler

__all__ = ["handler"]
