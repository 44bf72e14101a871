"""What the number pool plugs into the shared UI at start-up (imported by apps.ready()): audit action
names, the global search provider (type a number), the clerk's home panel (my reservations), and
the brand dictionary (码表 ``number_brand``) seeded after migrate."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web import home_panels
from telcrm.web.search import Hit, provider

VIEW = "resources.view_numbers"

ACTION_LABELS.update(
    {
        "number.reserve": _("Reserved number"),
        "number.release": _("Released number"),
        "number.expire": _("Reservations expired"),
        "number.assign": _("Assigned number"),
        "number.quarantine": _("Number cooling off"),
        "number.cool": _("Cooling off ended"),
        "number.freeze": _("Froze number"),
        "number.unfreeze": _("Unfroze number"),
        "number_range.create": _("Created number range"),
        "number_range.update": _("Changed number range"),
        "number_range.delete": _("Deleted number range"),
        "number_range.generate": _("Generated numbers"),
        "number_level.create": _("Created number level"),
        "number_level.update": _("Changed number level"),
        "number_level.delete": _("Deleted number level"),
        "number_level.recompute": _("Recomputed number levels"),
        "number_rule.create": _("Created level rule"),
        "number_rule.update": _("Changed level rule"),
        "number_rule.delete": _("Deleted level rule"),
    }
)

# The brands of number ranges, an administrator-editable dictionary (System → Dictionaries).
BRANDS = (
    ("gotone", "全球通", "GoTone"),
    ("mzone", "动感地带", "M-Zone"),
    ("easyown", "神州行", "Easyown"),
    ("iot", "物联网", "IoT"),
)


@receiver(post_migrate)
def seed_brands(sender, app_config=None, **kwargs):
    if app_config is None or app_config.label != "resources":
        return
    from telcrm.platform.models import DictItem, DictType

    dt, _created = DictType.objects.get_or_create(
        code="number_brand", defaults={"name": "号码品牌", "name_en": "Number brand", "is_system": True}
    )
    have = set(dt.items.values_list("code", flat=True))
    DictItem.objects.bulk_create(
        [
            DictItem(dict_type=dt, code=code, label=label, label_en=en, sort_order=i * 10)
            for i, (code, label, en) in enumerate(BRANDS)
            if code not in have
        ]
    )


# --- global search: an 11-digit number (or its last digits) ---------------------------------------
@provider(_("Numbers"), order=20)
def search_numbers(user, q: str, limit: int) -> list[Hit]:
    from . import queries

    digits = "".join(q.split())
    if not user.has_perm(VIEW) or not (digits.isascii() and digits.isdigit()) or not 4 <= len(digits) <= 11:
        return []
    if len(digits) == 11:
        try:
            found = [queries.number_get(user, digits)]
        except queries.NotFoundInScope:
            return []
    else:
        found = queries.number_search(user, ends_with=digits, state=None, per_page=limit).rows
    return [
        Hit(
            "number",
            n.grouped,
            " · ".join(str(x) for x in (n.get_state_display(), n.level.display_name if n.level else "") if x),
            reverse("number-detail", args=[n.msisdn]),
        )
        for n in found[:limit]
    ]


# --- home: the numbers I hold reserved ---------------------------------------------------------------
def _my_reservations(user) -> dict | None:
    from . import queries

    rows = queries.my_reservations(user, limit=8)
    return {"numbers": rows}


home_panels.register(
    home_panels.HomePanel(
        code="resources.my_reservations",
        template="resources/home/reservations.html",
        loader=_my_reservations,
        roles=("clerk", "branch_manager", "account_manager"),
        perm="resources.reserve_number",
        order=40,
    )
)
