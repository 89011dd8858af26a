"""Eligibility function: POST /v1/eligibility, GET /v1/aids, GET /v1/eligibility/questions."""

from rezone.api.common import lambda_entry, make_resolver
from rezone.api.eligibility import router, with_body_limit

app = make_resolver()
app.include_router(router)
handler = with_body_limit(lambda_entry(app))
