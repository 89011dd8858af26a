"""A moto S3 server on 127.0.0.1 that can be stalled or made to fail (tests and benchmarks only).

:class:`FakeS3` starts ``python -m moto.server`` in a subprocess on a free port, behind a small
pass-through HTTP proxy in this process. Faults:

- :meth:`FakeS3.stall` sends SIGSTOP to the moto process: the kernel still accepts connections
  but nothing answers, like an S3 that hangs; :meth:`FakeS3.resume` sends SIGCONT.
- :meth:`FakeS3.fail` makes the proxy answer every request with an S3 error (by default
  ``503 SlowDown``, S3's throttling answer; ``500 InternalError`` for a failing S3);
  :meth:`FakeS3.heal` passes requests through again.

Point a process at it with :meth:`FakeS3.env` (``AWS_ENDPOINT_URL_S3`` and dummy credentials);
:func:`rezone_serve` runs ``rezone serve`` in a subprocess against a store (such as this one).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

__all__ = ["FakeS3", "free_port", "rezone_serve"]

REGION = "eu-west-3"
_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def rezone_serve(store: str, env: dict, log_path: str | os.PathLike):
    """``rezone serve --store STORE --port 0`` in a subprocess; yields its base URL.

    Its output (the URL line, access log, the functions' JSON logs) goes to ``log_path``, not to a
    pipe nobody reads (which would fill and block the server)."""
    log_path = Path(log_path)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "rezone_infra.cli", "serve", "--store", store, "--port", "0"],
                                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while not (m := re.search(r"http://127\.0\.0\.1:\d+", log_path.read_text())):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("rezone serve did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.05)
        yield m.group(0)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class _Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeS3

    def log_message(self, fmt, *args):  # quiet
        pass

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = self.fake.fault
        if fault is not None:
            status, code = fault
            xml = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(xml)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(xml)
            return
        conn = http.client.HTTPConnection("127.0.0.1", self.fake.moto_port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            r = conn.getresponse()
            data = r.read()
        except OSError:
            self.close_connection = True
            return
        finally:
            conn.close()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in _HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _guarded(self) -> None:
        try:
            self._relay()
        except OSError:  # the client gave up (its read timeout) before the answer came
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _guarded


class FakeS3:
    """``with FakeS3() as s3: ...``: moto's S3 server behind a fault-injecting proxy."""

    def __init__(self):
        self.fault: tuple[int, str] | None = None
        self.moto_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.proxy: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.proxy.server_address[1]}"

    def env(self) -> dict:
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }

    def __enter__(self) -> Self:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.moto_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.moto_port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        handler = type("Proxy", (_Proxy,), {"fake": self})
        self.proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.proxy.daemon_threads = True
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.proxy is not None:
            self.proxy.shutdown()
            self.proxy.server_close()
            self.proxy = None

    def stall(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def fail(self, status: int = 503, code: str = "SlowDown") -> None:
        self.fault = (status, code)

    def heal(self) -> None:
        self.fault = None

    def client(self):
        """A boto3 S3 client talking to moto directly (not through the proxy)."""
        import boto3

        return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.moto_port}", region_name=REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def upload_store(self, local_store: str | os.PathLike, bucket: str, prefix: str = "") -> str:
        """Copy a local store (manifest and releases) into ``bucket``/``prefix``; returns its s3:// URL."""
        c = self.client()
        c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        root = Path(local_store)
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.name.endswith(".tmp"):
                key = p.relative_to(root).as_posix()
                c.upload_file(str(p), bucket, f"{prefix}/{key}" if prefix else key)
        return f"s3://{bucket}/{prefix}".rstrip("/")
