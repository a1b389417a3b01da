"""A minimal HTTP/1.1 client for checks and probes: one connection per request, loopback only."""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field

from scripts.bench.config import HOST
from scripts.bench.rotation import Req


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: str
    started: float  # time.monotonic() when the request was sent
    elapsed: float  # seconds
    error: str = ""  # a socket error instead of a response (status 0)
    extra: dict[str, str] = field(default_factory=dict)


def send(port: int, req: Req, *, timeout: float = 10.0) -> Response:
    """Send one request to 127.0.0.1:port; socket errors come back as status 0."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = dict(req.headers)
        headers.setdefault("Host", f"{HOST}:{port}")
        body = req.body.encode() if req.body is not None else None
        conn.request(req.method, req.path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read().decode("utf-8", "replace")
        return Response(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=payload,
            started=started,
            elapsed=time.monotonic() - started,
        )
    except (OSError, http.client.HTTPException) as exc:
        return Response(
            status=0,
            headers={},
            body="",
            started=started,
            elapsed=time.monotonic() - started,
            error=f"{type(exc).__name__}: {exc}",
        )
    finally:
        conn.close()


def wait_until_healthy(port: int, path: str = "/healthz", *, seconds: float = 60.0) -> float:
    """Poll the health endpoint until it answers 200; returns the wait. Raises on timeout."""
    started = time.monotonic()
    deadline = started + seconds
    last = ""
    while time.monotonic() < deadline:
        response = send(port, Req("GET", path), timeout=5)
        if response.status == 200:
            return time.monotonic() - started
        last = response.error or f"HTTP {response.status}"
        time.sleep(0.2)
    raise RuntimeError(f"the app did not become healthy within {seconds:.0f} s (last: {last})")
