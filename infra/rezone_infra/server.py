"""Local HTTP server: the same Lambda handlers behind a tiny adapter, plus the static web client.

Each request becomes an API Gateway HTTP API (payload 2.0) event, is routed like the SAM template
routes it (``/tiles/*`` → tiles function, ``/v1/eligibility*`` and ``/v1/aids`` → eligibility
function, other ``/v1/*`` → query function), and the handler's response is written back as is.
Everything else is served from the web client's folder with security headers.
"""

from __future__ import annotations

import base64
import gzip
import os
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from rezone.api.routing import MAX_BODY  # same limit as the eligibility function enforces

from rezone_infra import web_rules

__all__ = ["MAX_BODY", "ROOT", "frame_ancestors", "invoke", "load_handler", "make_event", "make_server", "route",
           "serve", "web_headers"]

ROOT = Path(__file__).resolve().parents[2]
MAX_URL = 8 * 1024

WEB_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "worker-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}

EMBED_PAGE = "embed.html"
_ORIGIN_RE = re.compile(r"^(?:'self'|https?://(?:\*\.)?[A-Za-z0-9.\-]+(?::[0-9]{1,5})?)$")


def frame_ancestors(setting: str | None) -> str:
    """The CSP ``frame-ancestors`` source list of ``REZONE_FRAME_ANCESTORS`` (space-separated origins such
    as ``https://www.paps.sante.fr 'self'``): tokens that are not an origin are dropped (no header
    injection); ``'none'`` when nothing is left."""
    tokens = [t for t in (setting or "").split() if _ORIGIN_RE.match(t)]
    return " ".join(tokens) or "'none'"


def web_headers(name: str, ancestors: str | None = None) -> dict:
    """Security headers of the web client's file ``name``: every page refuses to be framed, except
    ``embed.html`` which partner portals may frame from the origins of ``REZONE_FRAME_ANCESTORS``
    (``ancestors`` overrides the environment); it then sends no ``X-Frame-Options``."""
    headers = dict(WEB_HEADERS)
    if name.rsplit("/", 1)[-1] == EMBED_PAGE:
        allowed = frame_ancestors(os.environ.get("REZONE_FRAME_ANCESTORS") if ancestors is None else ancestors)
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "frame-ancestors 'none'", f"frame-ancestors {allowed}")
        del headers["X-Frame-Options"]
    return headers


# French titles of the errors http.server raises before any handler runs.
_SERVER_ERRORS = {
    400: "Requête invalide",
    408: "Délai de requête dépassé",
    414: "URI trop longue",
    431: "En-têtes de requête trop volumineux",
    505: "Version HTTP non prise en charge",
}

_idle: dict[str, list] = {}  # function name → handlers not serving a request right now
_idle_lock = threading.Lock()


def _make(name: str):
    from rezone.api.functions import FUNCTIONS

    return FUNCTIONS[name]()


def load_handler(name: str):
    """A new handler of function ``name`` (``rezone.api.functions.make_<name>()``), with its own resolver."""
    return _make(name)


def invoke(name: str, event: dict) -> dict:
    """Run one event through an idle instance of function ``name`` (a new one when all are busy).

    Like Lambda execution environments, an instance serves one request at a time: a Powertools
    resolver keeps the current event on itself, so two requests sharing one would answer each
    other. Instances are reused, so each is built (resolver, routes, validation models) once.
    """
    with _idle_lock:
        pool = _idle.setdefault(name, [])
        handler = pool.pop() if pool else None
    if handler is None:
        handler = _make(name)
    try:
        return handler(event, None)
    finally:
        with _idle_lock:
            pool.append(handler)


def route(path: str) -> str | None:
    if path.startswith("/tiles/"):
        return "tiles"
    if path == "/v1/aids" or path == "/v1/eligibility" or path.startswith("/v1/eligibility/"):
        return "eligibility"
    if path.startswith("/v1/") or path == "/v1":
        return "query"
    return None


def make_event(method: str, raw_path: str, raw_query: str, headers: dict, body: bytes | None,
               source_ip: str = "127.0.0.1") -> dict:
    """An API Gateway HTTP API payload-2.0 event, as Lambda receives it."""
    qs: dict[str, str] = {}
    for k, v in parse_qsl(raw_query, keep_blank_values=True):
        qs[k] = f"{qs[k]},{v}" if k in qs else v
    now = time.time()
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if qs:
        event["queryStringParameters"] = qs
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


class _Handler(BaseHTTPRequestHandler):
    server_version = "rezone-local"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30  # seconds a client may stay silent mid-request (slow-loris bound)
    web_root: Path = ROOT / "web" / "dist"
    quiet = True
    frame_ancestors: str | None = None  # None: REZONE_FRAME_ANCESTORS

    def log_message(self, fmt, *args):
        if not self.quiet:
            super().log_message(fmt, *args)

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        # Headers and body leave in ONE write (with TCP_NODELAY): two small writes on a keep-alive
        # connection meet the client's delayed ACK and cost ~40 ms per request.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD" and status not in (204, 304):
            self._headers_buffer.append(body)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    def _problem(self, status: int, title: str, detail: str, headers: dict | None = None) -> None:
        from rezone.http import problem

        self._lambda_response(problem(status, title, detail, headers=headers))

    def _lambda_response(self, resp: dict) -> None:
        body = resp.get("body") or ""
        raw = base64.b64decode(body) if resp.get("isBase64Encoded") else body.encode("utf-8")
        headers = resp.get("headers") or {}
        # /v1 answers compressed as CloudFront compresses them (web_rules.api_encoding)
        request_headers = getattr(self, "headers", None)  # none yet when http.server rejects a request line
        accept = request_headers.get("Accept-Encoding") if request_headers is not None else None
        if web_rules.api_encoding(urlsplit(getattr(self, "path", "") or "").path, headers, len(raw), accept):
            raw = gzip.compress(raw, 6, mtime=0)
            vary = headers.get("Vary") or headers.get("vary")
            headers = {**{k: v for k, v in headers.items() if k.lower() != "vary"}, "Content-Encoding": "gzip",
                       "Vary": f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"}
        self._send(int(resp.get("statusCode", 200)), headers, raw)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors raised by http.server itself (request line > 64 KB, headers too large, unknown
        method, bad HTTP version) as problem+json too, never the default HTML page."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # request line not parsed: answer in HTTP/1.1 anyway
            self.request_version = "HTTP/1.1"
        if code == 501:  # a method no handler knows (TRACE, CONNECT, PROPFIND…): not allowed here, not a 5xx
            self._problem(405, "Méthode non autorisée", f"{self.command} n'est pas accepté.",
                          {"Allow": "GET, HEAD, POST, OPTIONS"})
            return
        title = _SERVER_ERRORS.get(code, "Requête refusée")
        self._problem(code, title, message or title)

    def _refuse(self, status: int, title: str, detail: str) -> None:
        """Answer before reading the body: the connection cannot be reused."""
        self.close_connection = True
        self._problem(status, title, detail)

    def _dispatch(self) -> None:
        raw_length = self.headers.get("Content-Length") or "0"
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._refuse(411, "Longueur requise", "Envoyez le corps avec un en-tête Content-Length.")
        if not raw_length.strip().isdigit():
            return self._refuse(400, "En-tête Content-Length invalide", "Content-Length doit être un entier.")
        if len(self.path) > MAX_URL:
            return self._refuse(414, "URI trop longue", f"L'URI dépasse {MAX_URL} octets.")
        length = int(raw_length)
        if length > MAX_BODY:
            return self._refuse(413, "Corps de requête trop volumineux", f"Le corps dépasse {MAX_BODY} octets.")
        parts = urlsplit(self.path)
        fn = route(parts.path)
        body = self.rfile.read(length) if length else None
        if fn is None:
            return self._static(parts.path)
        event = make_event(self.command, parts.path, parts.query, dict(self.headers.items()), body,
                           self.client_address[0])
        try:
            resp = invoke(fn, event)
        except Exception as exc:  # noqa: BLE001 - last line of defence: the handlers never raise by design
            print(f"handler {fn} raised: {exc!r}", file=sys.stderr)
            return self._problem(502, "Erreur du service", "Le service a rencontré une erreur inattendue.")
        self._lambda_response(resp)

    def _static(self, path: str) -> None:
        """A file of the web client, cached and compressed by the rules of ``web_rules`` (as on the CDN)."""
        if self.command not in ("GET", "HEAD"):
            return self._problem(405, "Méthode non autorisée", "Seules GET et HEAD sont acceptées ici.")
        rel = path.lstrip("/") or "index.html"
        root = self.web_root.resolve()
        target = (root / rel).resolve()
        if root not in target.parents and target != root:
            return self._problem(404, "Ressource introuvable", "Chemin hors du client web.")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or web_rules.is_sidecar(target.name):
            return self._problem(404, "Ressource introuvable", f"{path} n'existe pas.")
        headers = web_headers(target.name, self.frame_ancestors)
        headers["Content-Type"] = web_rules.content_type(target.name)
        headers["Cache-Control"] = web_rules.cache_control(target.name)
        body, encoding, etag = _web_file(target, self.headers.get("Accept-Encoding"))
        if encoding is not False:  # a compressible type: the answer depends on Accept-Encoding
            headers["Vary"] = "Accept-Encoding"
        if encoding:
            headers["Content-Encoding"] = encoding
        headers["ETag"] = etag
        if etag in [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]:
            return self._send(304, headers, b"")
        self._send(200, headers, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def do_OPTIONS(self):  # CORS preflight, answered like the functions would
        from rezone.http import response

        self._lambda_response(response(204))


_web_cache: dict[tuple[str, int, str | None], bytes] = {}
_web_cache_lock = threading.Lock()


def _web_file(target: Path, accept_encoding: str | None) -> tuple[bytes, str | None | bool, str]:
    """``(body, content encoding, ETag)`` of a web client file for a request's ``Accept-Encoding``.

    The encoding is False for a type that is never compressed, None for identity. A build sidecar
    (``<file>.br`` / ``<file>.gz``) is sent when present; gzip is otherwise made once and cached.
    """
    stat = target.stat()
    if not web_rules.compressible(target.name, stat.st_size):
        return target.read_bytes(), False, f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    sidecars = {}
    for enc, suffix in web_rules.ENCODINGS.items():
        side = target.with_name(target.name + suffix)
        if side.is_file() and side.stat().st_mtime_ns >= stat.st_mtime_ns:  # not older than its original
            sidecars[enc] = side
    encoding = web_rules.negotiate(accept_encoding, [e for e in web_rules.ENCODINGS if e in sidecars or e == "gzip"])
    tag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}{"-" + encoding if encoding else ""}"'
    if encoding is None:
        return target.read_bytes(), None, tag
    if encoding in sidecars:
        return sidecars[encoding].read_bytes(), encoding, tag
    key = (str(target), stat.st_mtime_ns, encoding)
    with _web_cache_lock:
        body = _web_cache.get(key)
    if body is None:
        body = gzip.compress(target.read_bytes(), 9, mtime=0)
        with _web_cache_lock:
            _web_cache[key] = body
    return body, "gzip", tag


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # listen backlog: the default 5 resets connections when dozens of clients connect at once
    request_queue_size = 128


def make_server(store: str, host: str = "127.0.0.1", port: int = 8000, web_root: str | Path | None = None,
                quiet: bool = True, frame_ancestors: str | None = None) -> ThreadingHTTPServer:
    """The local server; ``frame_ancestors`` (else ``REZONE_FRAME_ANCESTORS``) lists who may frame /embed.html."""
    os.environ["REZONE_STORE"] = str(store)
    # The functions' JSON logs and EMF metrics (rezone.api.observability) are for CloudWatch: locally,
    # warnings only and no metrics, unless asked for.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    from rezone.api.observability import install_logger

    install_logger()  # a long-lived process: no request pays the Logger's import
    from rezone import release

    release.reset(str(store))
    handler = type("Handler", (_Handler,), {"quiet": quiet, "frame_ancestors": frame_ancestors})
    if web_root is not None:
        handler.web_root = Path(web_root)
    elif not handler.web_root.exists():
        handler.web_root = ROOT / "web"
    srv = _Server((host, port), handler)
    return srv


def _die_with_parent() -> None:
    """Linux: this (forked) process gets SIGTERM when its parent dies, so no worker outlives the server."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's SIGTERM handler still stops the workers
        pass


def serve(store: str, host: str = "127.0.0.1", port: int = 8000, web_root: str | None = None,
          workers: int = 1) -> None:
    """Serve until interrupted; ``workers`` > 1: that many processes accept on the same socket (pre-fork),
    each with its own function instances and release caches, like separate Lambda environments."""
    srv = make_server(store, host, port, web_root, quiet=False)
    print(f"Rézone: http://{host}:{srv.server_address[1]}/  (store {store}, {workers} worker(s))", flush=True)
    children = []
    for _ in range(max(1, workers) - 1):  # forked before any thread starts
        pid = os.fork()
        if pid == 0:
            _die_with_parent()
            try:
                srv.serve_forever()
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        srv.server_close()


if __name__ == "__main__":  # pragma: no cover
    serve(os.environ.get("REZONE_STORE", "store"))
