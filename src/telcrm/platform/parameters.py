"""System parameters (系统参数): typed definitions in code, values in the database, read through cache.

Modules declare their parameters with :func:`define`; ``sync_parameters`` (run after every
migrate) creates missing rows with the default and refreshes names and bounds, never the value an
administrator set. ``param(key)`` returns the typed value; an edit bumps a cache version so every
process (server, workers) sees it at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CACHE_VERSION_KEY = "telcrm:params:version"
CACHE_TTL = 300


@dataclass(frozen=True)
class ParamDef:
    key: str
    group: str
    type: str
    default: Any
    name: str
    name_en: str
    description: str = ""
    description_en: str = ""
    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None
    choices: list[str] = field(default_factory=list)


REGISTRY: dict[str, ParamDef] = {}


def define(key: str, *, group: str, type: str, default: Any, name: str, name_en: str, **extra) -> ParamDef:
    d = ParamDef(key=key, group=group, type=type, default=default, name=name, name_en=name_en, **extra)
    REGISTRY[key] = d
    return d


def coerce(type_: str, raw: Any, *, min_value=None, max_value=None, choices=None) -> Any:
    """Turn user input (form text or JSON) into the typed value, or raise a ValidationError."""
    try:
        if raw is None:
            raise ValueError  # no type accepts a missing value (a JSON null would be stored as SQL NULL)
        if type_ in ("int", "duration"):
            if isinstance(raw, bool):
                raise ValueError
            value: Any = int(str(raw).strip())
        elif type_ == "decimal":
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise ValueError
        elif type_ == "bool":
            if isinstance(raw, bool):
                value = raw
            elif str(raw).strip().lower() in {"1", "true", "yes", "on"}:
                value = True
            elif str(raw).strip().lower() in {"0", "false", "no", "off", ""}:
                value = False
            else:
                raise ValueError
        elif type_ == "json":
            value = json.loads(raw, parse_constant=_reject_constant) if isinstance(raw, str) else raw
            json.dumps(value, allow_nan=False)  # only values the database's JSON type can hold
            if value is None:
                raise ValueError
        else:
            value = str(raw).strip()
    except (ValueError, TypeError, InvalidOperation, json.JSONDecodeError) as exc:
        raise ValidationError(
            {
                "value": ValidationError(
                    _("Enter a valid value of type %(type)s."),
                    code="invalid",
                    params={"type": _type_label(type_)},
                )
            }
        ) from exc
    if type_ in ("int", "duration", "decimal"):
        if min_value is not None and value < Decimal(str(min_value)):
            raise ValidationError(
                {
                    "value": ValidationError(
                        _("Must be at least %(min)s."), code="min_value", params={"min": _plain(min_value)}
                    )
                }
            )
        if max_value is not None and value > Decimal(str(max_value)):
            raise ValidationError(
                {
                    "value": ValidationError(
                        _("Must be at most %(max)s."), code="max_value", params={"max": _plain(max_value)}
                    )
                }
            )
    if type_ == "choice" and choices and value not in choices:
        raise ValidationError(
            {
                "value": ValidationError(
                    _("Choose one of: %(choices)s."),
                    code="invalid_choice",
                    params={"choices": ", ".join(choices)},
                )
            }
        )
    if type_ == "decimal":
        return str(value)  # JSON-safe; param() returns a Decimal
    return value


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _type_label(type_: str):
    """The translated name of a parameter type, for messages ("整数" rather than "int")."""
    from .models import ParamType

    try:
        return ParamType(type_).label
    except ValueError:
        return type_


def _plain(n) -> str:
    """1.0000 → "1", 2.5000 → "2.5" (bounds come back from a DecimalField with four places)."""
    d = Decimal(str(n)).normalize()
    return format(d, "f")


def _same_number(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))


def _fresh_version() -> int:
    # Seeded from the clock, so a version key lost from the cache (eviction, restart of a shared
    # cache) never restarts at a number whose cached values may still be there and be stale.
    return time.time_ns() // 1000


def _changed(row, meta: dict) -> bool:
    """Whether a parameter row's definition differs from the code (bounds compared as numbers)."""
    bounds = ("min_value", "max_value")
    return any(getattr(row, k) != v for k, v in meta.items() if k not in bounds) or not all(
        _same_number(getattr(row, k), meta[k]) for k in bounds
    )


def _version() -> int:
    v = cache.get(CACHE_VERSION_KEY)
    if v is None:
        cache.add(CACHE_VERSION_KEY, _fresh_version(), None)
        v = cache.get(CACHE_VERSION_KEY) or _fresh_version()
    return v


def invalidate() -> None:
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, _fresh_version(), None)
    reset_local()


# Each process keeps the values of the current version and asks the shared cache for the version
# at most once per LOCAL_TTL: a read is a dict lookup, and an edit reaches every other process
# within LOCAL_TTL seconds (at once in the process that made it).
LOCAL_TTL = 1.0
_local: dict[str, Any] = {"version": None, "values": None, "checked": 0.0}


def reset_local() -> None:
    _local.update(version=None, values=None, checked=0.0)


def _all_values() -> dict[str, Any]:
    now = time.monotonic()
    if _local["values"] is not None and now - _local["checked"] < LOCAL_TTL:
        return _local["values"]
    version = _version()
    if _local["values"] is not None and _local["version"] == version:
        _local["checked"] = now
        return _local["values"]
    key = f"telcrm:params:{version}"
    values = cache.get(key)
    if values is None:
        from .models import Parameter

        values = dict(Parameter.objects.values_list("key", "value"))
        cache.set(key, values, CACHE_TTL)
    _local.update(version=version, values=values, checked=now)
    return values


def param(key: str) -> Any:
    """The current typed value of a parameter (the default if the row does not exist yet)."""
    d = REGISTRY.get(key)
    if d is None:
        raise KeyError(f"unknown parameter {key!r}")
    try:
        value = _all_values().get(key, d.default)
    except Exception:  # database not migrated yet (e.g. during the first migrate)
        value = d.default
    if d.type == "decimal":
        return Decimal(str(value))
    return value


def sync_parameters() -> int:
    """Create parameter rows for new definitions; refresh metadata of existing ones. Returns #created."""
    from .models import Parameter

    created = 0
    existing = {p.key: p for p in Parameter.objects.all()}
    for d in REGISTRY.values():
        meta = {
            "group": d.group,
            "name": d.name,
            "name_en": d.name_en,
            "description": d.description,
            "description_en": d.description_en,
            "type": d.type,
            "default": coerce(d.type, d.default) if d.type != "json" else d.default,
            "min_value": d.min_value,
            "max_value": d.max_value,
            "choices": list(d.choices),
        }
        row = existing.get(d.key)
        if row is None:
            Parameter.objects.create(key=d.key, value=meta["default"], **meta)
            created += 1
        elif _changed(row, meta):
            for k, v in meta.items():
                setattr(row, k, v)
            row.save()
    invalidate()
    return created


# --- the platform's own parameters ------------------------------------------------------------
define(
    "auth.lockout_threshold",
    group="auth",
    type="int",
    default=5,
    min_value=1,
    max_value=100,
    name="登录失败锁定次数",
    name_en="Failed sign-ins before lockout",
    description="连续登录失败达到该次数后锁定账号。",
    description_en="Consecutive failed sign-ins after which the account is locked.",
)
define(
    "auth.lockout_minutes",
    group="auth",
    type="duration",
    default=15,
    min_value=1,
    max_value=1440,
    name="锁定时长（分钟）",
    name_en="Lockout duration (minutes)",
)
define(
    "auth.session_idle_minutes",
    group="auth",
    type="duration",
    default=30,
    min_value=1,
    max_value=720,
    name="会话空闲超时（分钟）",
    name_en="Session idle timeout (minutes)",
    description="已登录的会话无操作超过该时长后自动退出。",
    description_en="A signed-in session without activity for this long is signed out.",
)
define(
    "jobs.stale_minutes",
    group="jobs",
    type="duration",
    default=30,
    min_value=1,
    max_value=1440,
    name="任务无进度判定失败（分钟）",
    name_en="Job without progress is failed after (minutes)",
)
define(
    "ui.page_size",
    group="ui",
    type="int",
    default=25,
    min_value=5,
    max_value=200,
    name="列表每页行数",
    name_en="Rows per list page",
)
define(
    "export.max_rows",
    group="export",
    type="int",
    default=1_000_000,
    min_value=1,
    max_value=10_000_000,
    name="单次导出最大行数",
    name_en="Maximum rows per export",
)
define(
    "sla.default_calendar",
    group="sla",
    type="str",
    default="office",
    name="默认SLA日历",
    name_en="Default SLA calendar",
)
