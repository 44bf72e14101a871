"""Who is acting, from where: set per request (middleware), per task, per command; read by audit."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ActorContext:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""
    channel: str = "command"


_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar(
    "telcrm_actor",
    default=ActorContext(),  # noqa: B039 - frozen dataclass, immutable
)


def current() -> ActorContext:
    return _current.get()


@contextlib.contextmanager
def acting(**changes):
    token = _current.set(
        replace(_current.get(), request_id=changes.pop("request_id", None) or uuid.uuid4().hex, **changes)
    )
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def client_ip(request) -> str | None:
    # REMOTE_ADDR is authoritative; behind a proxy the ASGI server sets it from X-Forwarded-For
    # (uvicorn --proxy-headers with --forwarded-allow-ips), never this code from a spoofable header.
    return request.META.get("REMOTE_ADDR") or None
