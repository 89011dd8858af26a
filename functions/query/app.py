"""Query function: health, locate, communes, territories, facilities, OpenAPI (rezone.api.query)."""

from rezone.api.common import lambda_entry, make_resolver
from rezone.api.query import router

app = make_resolver()
app.include_router(router)
handler = lambda_entry(app)
