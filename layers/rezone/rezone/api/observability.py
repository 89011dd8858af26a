"""Structured logs and metrics of every function: Powertools Logger (JSON) and CloudWatch EMF.

:func:`instrument` wraps a function's Lambda handler. For each request it prints one CloudWatch
embedded-metric-format (EMF) line on stdout, in namespace ``POWERTOOLS_METRICS_NAMESPACE``
(default ``Rezone``), dimensions ``function`` and ``service``:

- metrics ``Requests``, ``StorageReads`` (objects and ranges read from the store during the
  request, :func:`rezone.storage.read_count`), ``ColdStart`` (the first request this process
  served for that function), and ``Status304`` / ``Status4xx`` / ``Status5xx`` by status;
- properties (searchable in CloudWatch Logs Insights, like any JSON log line) ``request_id``
  (the Lambda request id when there is a context, else API Gateway's), ``correlation_id``
  (API Gateway's request id), ``cold_start``, ``method``, ``path``, ``status``, ``duration_ms``.

Log records (the library logs through ``logging.getLogger("rezone")``: storage failures,
unexpected errors) are written by a Powertools ``Logger`` as JSON lines (level, location,
message, timestamp, service, exception) and carry the same ``request_id``, ``correlation_id``,
``cold_start`` and ``function`` keys. Level and service come from ``POWERTOOLS_LOG_LEVEL`` and
``POWERTOOLS_SERVICE_NAME`` (template.yaml); ``POWERTOOLS_METRICS_DISABLED=true`` silences the
EMF lines (the local server does, see :mod:`rezone_infra.server`).

Why Powertools is imported only when the first record is logged, and why the EMF line is
written here rather than by Powertools ``Metrics``: importing any part of
``aws_lambda_powertools`` runs its package ``__init__`` (Logger, Metrics, Tracer, jmespath,
typing_extensions), which costs more than the whole cold path of the tiles function and of the
locate fast path (``benchmarks/bench_bundle.py``: cold starts with and without it;
``tests/test_query_api.py`` checks that a cold locate imports no Powertools). A request that
logs nothing (the usual case) therefore costs one ``json.dumps``; the first warning or error of
a process pays the import. The EMF document is the fixed one of the specification
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
with six known metric names, none of the validation Powertools ``Metrics`` adds is needed.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import os
import sys
import threading
import time

from rezone.storage import read_count, reset_read_count

__all__ = ["emf", "install_logger", "instrument"]

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "rezone"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Rezone"
LOGGER_NAME = "rezone"  # what the library logs to

_request: contextvars.ContextVar[dict | None] = contextvars.ContextVar("rezone_request", default=None)
_served: set[str] = set()  # functions that answered a request in this process (not cold any more)
_write_lock = threading.Lock()


class _RequestKeys(logging.Filter):
    """Adds the current request's keys to every record (Powertools prints extra attributes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for k, v in (_request.get() or {}).items():
            setattr(record, k, v)
        return True


def install_logger() -> None:
    """Put the Powertools Logger in place now (a long-lived process: the local server), not on
    the first record."""
    with _write_lock:
        lib = logging.getLogger(LOGGER_NAME)
        stand_ins = [h for h in lib.handlers if isinstance(h, _PowertoolsOnFirstRecord)]
        if not stand_ins:
            return
        for h in stand_ins:
            lib.removeHandler(h)
        from aws_lambda_powertools.logging.logger import Logger

        pt = Logger(service=SERVICE)  # configures the stdlib logger named SERVICE
        if SERVICE != LOGGER_NAME:
            from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

            copy_config_to_registered_loggers(source_logger=pt, include={LOGGER_NAME})


class _PowertoolsOnFirstRecord(logging.Handler):
    """Stands in for the Powertools Logger until a record is logged, then installs it."""

    def emit(self, record: logging.LogRecord) -> None:
        install_logger()
        logging.getLogger(LOGGER_NAME).handle(record)


_lib_logger = logging.getLogger(LOGGER_NAME)
_lib_logger.addFilter(_RequestKeys())
_lib_logger.addHandler(_PowertoolsOnFirstRecord())
_lib_logger.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper())
_lib_logger.propagate = False


def _metrics_disabled() -> bool:
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "false").lower() in ("1", "true", "yes", "on")


def emf(function: str, metrics: dict[str, float], properties: dict) -> str:
    """One EMF document: ``metrics`` (all counts) with dimensions function and service, plus ``properties``."""
    doc = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["function", "service"]],
                "Metrics": [{"Name": name, "Unit": "Count"} for name in metrics],
            }],
        },
        "function": function,
        "service": SERVICE,
        **properties,
        **metrics,
    }
    return json.dumps(doc, separators=(",", ":"), default=str)


def _status_metric(status: int) -> str | None:
    if status == 304:
        return "Status304"
    if 400 <= status < 500:
        return "Status4xx"
    if status >= 500:
        return "Status5xx"
    return None


def instrument(name: str, handler):
    """``handler`` with the request's keys on its log records and one EMF line per request."""

    @functools.wraps(handler)
    def instrumented(event, context):
        cold = name not in _served
        _served.add(name)
        ctx = event.get("requestContext") or {}
        keys = {
            "request_id": getattr(context, "aws_request_id", None) or ctx.get("requestId"),
            "correlation_id": ctx.get("requestId"),
            "cold_start": cold,
            "function": name,
        }
        token = _request.set(keys)
        reset_read_count()
        t0 = time.perf_counter()
        status = 500
        try:
            resp = handler(event, context)
            status = int(resp.get("statusCode") or 200)
            return resp
        finally:
            _request.reset(token)
            if not _metrics_disabled():
                reads = read_count()
                metrics = {"Requests": 1, "StorageReads": reads}
                if cold:
                    metrics["ColdStart"] = 1
                if (kind := _status_metric(status)) is not None:
                    metrics[kind] = 1
                props = {k: v for k, v in keys.items() if k != "function"}
                props.update(method=((ctx.get("http") or {}).get("method")), path=event.get("rawPath"),
                             status=status, duration_ms=round((time.perf_counter() - t0) * 1000, 2))
                line = emf(name, metrics, props)
                with _write_lock:
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()

    return instrumented
