"""One HTTP POST with separate connect and read timeouts (stdlib http.client; no redirects followed).

Everything that goes wrong on the way is a :class:`RetryableError` with a short code: the request
may or may not have reached the other side, and the receiver dedupes by the idempotency key, so
sending the same request again is always safe. What the answer *means* (2xx, 4xx, 5xx) is for the
caller to decide.
"""

from __future__ import annotations

import http.client
import ssl
import urllib.parse
from dataclasses import dataclass

from .base import PermanentError, RetryableError

MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def split_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentError(f"not an http(s) URL: {url!r}", code="bad_url")
    return parts


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> Reply:
    parts = split_url(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=connect_timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=connect_timeout)
    try:
        try:
            conn.connect()
        except TimeoutError as exc:
            raise RetryableError(
                f"no connection to {parts.netloc} within {connect_timeout:g} s", code="connect_timeout"
            ) from exc
        except OSError as exc:
            raise RetryableError(f"cannot connect to {parts.netloc}: {exc}", code="connect_failed") from exc
        conn.sock.settimeout(read_timeout)
        try:
            conn.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = conn.getresponse()
            data = response.read(max_bytes + 1)
        except TimeoutError as exc:
            raise RetryableError(
                f"no answer from {parts.netloc} within {read_timeout:g} s", code="timeout"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise RetryableError(
                f"connection to {parts.netloc} broke: {exc!r}", code="connection_lost"
            ) from exc
        if len(data) > max_bytes:
            raise PermanentError(f"answer larger than {max_bytes} bytes", code="too_large")
        return Reply(response.status, response.headers.get_content_type(), data)
    finally:
        conn.close()
