"""Eligibility function: POST /v1/eligibility, GET /v1/aids, GET /v1/eligibility/questions."""

from rezone.api.functions import eligibility as handler

__all__ = ["handler"]
