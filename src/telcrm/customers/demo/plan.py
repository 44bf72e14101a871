"""Demo customers' plan: what every chunk needs to know (built once, shipped to the workers)."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from .data import DISTRICTS, TAGS


# --- the plan: what every chunk needs to know (built once, shipped to the workers) ----------------
@dataclass(frozen=True)
class Branch:
    org_unit_id: int
    code: str
    city_code: str
    city_name: str
    clerks: tuple[int, ...]
    account_managers: tuple[int, ...]
    manager: int | None


@dataclass(frozen=True)
class Plan:
    seed: int
    start: int  # first customer index to generate (the ones below exist)
    stop: int
    today: dt.date
    tz: object
    branches: tuple[Branch, ...]
    branch_cum_weights: tuple[float, ...]
    demo_branch: int  # index in branches of ZJ-HZ-B01
    demo_clerk: int | None
    demo_am: int | None
    tag_ids: dict
    party_base: int  # primary key of customer `start`'s party; customer i gets party_base + i - start
    customer_base: int
    account_base: int  # account k of customer i: account_base + (i - start) * 3 + k


def build_plan(*, seed: int, start: int, stop: int) -> Plan:
    from django.db.models import Max

    from telcrm.platform.demo import CITIES
    from telcrm.platform.models import OrgKind, OrgUnit, User

    from ..models import Account, Customer, Party

    cities = {c.code: c for c in CITIES}
    staff = collections.defaultdict(lambda: collections.defaultdict(list))
    for uid, unit_id, role in (
        User.objects.filter(is_active=True, org_unit__kind=OrgKind.BRANCH, role__isnull=False)
        .order_by("id")
        .values_list("id", "org_unit_id", "role__code")
    ):
        staff[unit_id][role].append(uid)
    branches, weights = [], []
    for unit in OrgUnit.objects.filter(kind=OrgKind.BRANCH, code__startswith="ZJ-").order_by("code"):
        city_code = unit.code.split("-")[1]
        if city_code not in DISTRICTS:
            continue
        s = staff[unit.id]
        manager = (s["branch_manager"] or [None])[0]
        branches.append(
            Branch(
                unit.id,
                unit.code,
                city_code,
                cities[city_code].name,
                tuple(s["clerk"]) or ((manager,) if manager else (None,)),
                tuple(s["account_manager"]),
                manager,
            )
        )
        # Hangzhou branches are busier; the demo branch busiest, so its users see a full list.
        weights.append(3.0 if unit.code == "ZJ-HZ-B01" else 1.5 if city_code == "HZ" else 1.0)
    if not branches:
        raise RuntimeError("the demo carrier's branches are missing: run the platform generator first")
    users = dict(User.objects.filter(username__in=("clerk", "am")).values_list("username", "id"))
    codes = [b.code for b in branches]

    def base(model) -> int:
        return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    return Plan(
        seed=seed,
        start=start,
        stop=stop,
        today=timezone.localdate(),
        tz=timezone.get_current_timezone(),
        branches=tuple(branches),
        branch_cum_weights=tuple(itertools.accumulate(weights)),
        demo_branch=codes.index("ZJ-HZ-B01") if "ZJ-HZ-B01" in codes else -1,
        demo_clerk=users.get("clerk"),
        demo_am=users.get("am"),
        tag_ids=ensure_tags(),
        party_base=base(Party),
        customer_base=base(Customer),
        account_base=base(Account),
    )


def ensure_tags() -> dict[str, int]:
    """The demo tags (reference data; created once, never changed)."""
    from ..models import Tag

    for code, name, name_en, color in TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "color": color})
    return dict(Tag.objects.filter(code__in=[t[0] for t in TAGS]).values_list("code", "id"))
