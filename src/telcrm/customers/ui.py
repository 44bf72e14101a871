"""What the customers module plugs into the shared UI at start-up (imported by apps.ready()):
the global search provider, the customer-list export, the home panels of the clerk, the branch
manager and the account manager, and the built-in panels of the 360 page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from telcrm.platform import exports, parameters
from telcrm.platform.exports import Column, Dataset
from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web import home_panels
from telcrm.web.search import Hit, provider

from .panels import Panel, register_panel

VIEW = "customers.view_customer"

parameters.define(
    "customers.print_max_rows",
    group="ui",
    type="int",
    default=500,
    min_value=10,
    max_value=5000,
    name="客户清单打印最大行数",
    name_en="Maximum rows of a printed customer list",
    description="超过该行数时请缩小查询条件或改用导出。",
    description_en="Beyond this, narrow the filters or export the list instead.",
)

parameters.define(
    "customers.number_segments",
    group="customers",
    type="json",
    default={
        "cmcc": {
            "name": "中国移动",
            "name_en": "China Mobile",
            "prefixes": "134 135 136 137 138 139 147 148 150 151 152 157 158 159 172 178 182 183 184 187 188 "
            "195 197 198",
        },
        "cucc": {
            "name": "中国联通",
            "name_en": "China Unicom",
            "prefixes": "130 131 132 145 146 155 156 166 175 176 185 186 196",
        },
        "ctcc": {
            "name": "中国电信",
            "name_en": "China Telecom",
            "prefixes": "133 149 153 173 174 177 180 181 189 190 191 193 199",
        },
        "cbn": {"name": "中国广电", "name_en": "China Broadnet", "prefixes": "192"},
        "mvno": {"name": "虚拟运营商", "name_en": "Virtual operator", "prefixes": "162 165 167 170 171"},
    },
    name="手机号段归属",
    name_en="Mobile number segments",
    description="号段（号码前三位）所属运营商，客户全景页在手机号旁显示。",
    description_en="Which operator each segment (first three digits) belongs to; shown beside phones.",
)


# --- global search (the box in the top bar) -----------------------------------------------------
@provider(_("Customers"), order=10)
def search_customers(user, q: str, limit: int) -> list[Hit]:
    from . import queries

    if not user.has_perm(VIEW):
        return []
    hits = []
    for c in queries.customer_search(user, q, limit=limit):
        bits = [c.customer_no, c.get_customer_type_display()]
        if c.primary_phone:
            bits.append(str(c.primary_phone))  # masked
        if c.status != "active":
            bits.append(c.get_status_display())
        hits.append(Hit("customer", c.name, " · ".join(bits), reverse("customer-detail", args=[c.pk])))
    return hits


# --- export of the customer list (CUS-7): masked PII only ----------------------------------------
EXPORT_FILTERS = {
    "q",
    "org_unit",
    "status",
    "customer_type",
    "value_tier",
    "loyalty_class",
    "tag",
    "created_from",
    "created_to",
    "sort",
}


def export_rows(actor, filters: dict):
    from . import queries
    from .forms import parse_list_filters

    kwargs = parse_list_filters({k: v for k, v in (filters or {}).items() if k in EXPORT_FILTERS})
    if not actor.has_perm(VIEW):
        return queries.customer_list(actor).none()
    return queries.customer_list(actor, **kwargs).select_related("party", "org_unit", "account_manager")


def _tier(c):
    return c.get_value_tier_display()


exports.dataset(
    Dataset(
        code="customers",
        title=_("Customers"),
        rows=export_rows,
        columns=(
            Column(_("Customer number"), lambda c: c.customer_no, 14),
            Column(_("Customer name"), lambda c: c.name, 24),
            Column(_("Customer type"), lambda c: c.get_customer_type_display(), 12),
            Column(_("Status"), lambda c: c.get_status_display(), 10),
            Column(_("Value tier"), _tier, 12),
            Column(_("Loyalty class"), lambda c: c.get_loyalty_class_display(), 12),
            Column(_("Credit level"), lambda c: c.credit_level, 8),
            # masked: exports never carry plaintext personal data
            Column(_("ID number"), lambda c: str(c.party.id_number), 22),
            Column(_("Mobile phone"), lambda c: str(c.primary_phone), 14),
            Column(_("Organisation unit"), lambda c: c.org_unit.name, 20),
            Column(
                _("Account manager"),
                lambda c: (
                    (c.account_manager.full_name or c.account_manager.username) if c.account_manager else ""
                ),
                14,
            ),
            Column(_("Created at"), lambda c: c.created_at, 18),
        ),
    )
)


# --- home panels ---------------------------------------------------------------------------------
def _recent_customers(user) -> dict | None:
    from . import queries

    rows = list(queries.customer_list(user, sort="-id").select_related("org_unit")[:8])
    return {"customers": rows}


def _branch_customers(user) -> dict | None:
    from . import queries
    from .models import RequestStatus, UpdateRequest, ValueTier

    qs = queries.customer_list(user)
    counts = dict(qs.order_by().values_list("value_tier").annotate(n=Count("id")))
    tiers = [{"code": code, "label": lbl, "n": counts.get(code, 0)} for code, lbl in ValueTier.choices]
    pending = UpdateRequest.objects.restrict(user).filter(status=RequestStatus.PENDING)
    return {
        "tiers": tiers,
        "total": sum(counts.values()),
        "pending_count": pending.count() if user.has_perm("customers.review_update_request") else None,
        "pending": list(pending.select_related("customer").order_by("-created_at")[:5])
        if user.has_perm("customers.review_update_request")
        else [],
    }


def _group_customers(user) -> dict | None:
    from . import queries
    from .models import CustomerType

    qs = queries.customer_list(user).filter(
        Q(customer_type__in=[CustomerType.GROUP, CustomerType.ENTERPRISE])
    )
    rows = list(qs.annotate(member_count=Count("members")).order_by("-value_tier", "name")[:10])
    return {"customers": rows, "total": qs.count()}


home_panels.register(
    home_panels.HomePanel(
        "customers.recent",
        "customers/home/recent.html",
        _recent_customers,
        roles=("clerk",),
        perm=VIEW,
        order=10,
    )
)
home_panels.register(
    home_panels.HomePanel(
        "customers.branch",
        "customers/home/branch.html",
        _branch_customers,
        roles=("branch_manager",),
        perm=VIEW,
        order=10,
    )
)
home_panels.register(
    home_panels.HomePanel(
        "customers.groups",
        "customers/home/groups.html",
        _group_customers,
        roles=("account_manager",),
        perm=VIEW,
        order=10,
    )
)


# --- built-in panels of the 360 page ---------------------------------------------------------------
# Loaders read what queries.customer_360 loaded (``ctx``); the few that need more run one query each,
# whatever the number of rows (the page's query count is pinned by a test).
def _pick(*keys):
    def loader(actor, customer, ctx):
        return {k: ctx.get(k) for k in keys}

    return loader


def _contact_people(actor, customer, ctx):
    if customer.customer_type == "individual" and not ctx.get("contact_people"):
        return None
    return {"contact_people": ctx.get("contact_people")}


MAX_MEMBERS = 20


def _group(actor, customer, ctx):
    parent, count = ctx.get("parent"), ctx.get("member_count") or 0
    if not (parent or count or customer.customer_type == "group"):
        return None
    members = []
    if count:
        from .models import Customer

        members = list(
            Customer.objects.restrict(actor).live().filter(parent=customer).order_by("name")[:MAX_MEMBERS]
        )
    return {"parent": parent, "members": members, "member_count": count}


def _credit(actor, customer, ctx):
    from .models import BlacklistEntry

    entries = list(
        BlacklistEntry.objects.filter(customer=customer)
        .select_related("lifted_by")
        .order_by("-valid_from", "-id")[:50]
    )
    seen = {e.pk for e in entries}
    # entries of other customers of the same person (same ID number) that apply here too
    entries += [e for e in ctx.get("blacklist") or () if e.pk not in seen]
    return {
        "credit_changes": ctx.get("credit_changes"),
        "blacklist_entries": entries,
        "count": len(ctx.get("blacklist") or ()),
    }


def _requests(actor, customer, ctx):
    return {"update_requests": ctx.get("update_requests"), "count": ctx.get("pending_request_count") or 0}


def _merges(actor, customer, ctx):
    from django.db.models import Q as _Q

    from .models import Merge

    rows = list(
        Merge.objects.filter(_Q(survivor=customer) | _Q(duplicate=customer))
        .select_related("survivor", "duplicate", "merged_by", "reverted_by")
        .order_by("-merged_at")[:50]
    )
    return {"merges": rows}


BUILTIN_PANELS = (
    Panel("subscriptions", _("Subscriptions"), "customers/panels/subscriptions.html",
          _pick("subscriptions", "subscription_count", "active_subscription_count", "monthly_fee_total"),
          order=10, icon="sim"),
    Panel("accounts", _("Billing accounts"), "customers/panels/accounts.html",
          _pick("accounts", "account_count", "balance_total", "arrears_total"), order=20, icon="wallet2"),
    Panel("timeline", _("Recent interactions"), "customers/panels/timeline.html", _pick("interactions"),
          order=40, icon="clock-history"),
    Panel("profile", _("Profile"), "customers/panels/profile.html", _pick("party"), order=10, slot="side",
          icon="person-vcard"),
    Panel("contact_media", _("Contact media"), "customers/panels/contact_media.html", _pick("contact_media"),
          order=20, slot="side", icon="telephone"),
    Panel("addresses", _("Addresses"), "customers/panels/addresses.html", _pick("addresses"), order=30,
          slot="side", icon="geo-alt"),
    Panel("contact_people", _("Key persons"), "customers/panels/contact_people.html", _contact_people,
          order=40, slot="side", icon="person-lines-fill"),
    Panel("group", _("Group"), "customers/panels/group.html", _group, order=50, slot="side",
          icon="diagram-2"),
    Panel("tags", _("Tags"), "customers/panels/tags.html", _pick("tags"), order=60, slot="side",
          icon="tags"),
    Panel("duplicates", _("Possible duplicates"), "customers/panels/duplicates.html", None, order=70,
          slot="side", icon="intersect"),
    Panel("credit", _("Credit & blacklist"), "customers/panels/credit.html", _credit, order=10, slot="tab",
          icon="shield-exclamation"),
    Panel("requests", _("Update requests"), "customers/panels/requests.html", _requests, order=20, slot="tab",
          icon="inbox"),
    Panel("history", _("Field history"), "customers/panels/history.html", None, order=30, slot="tab",
          icon="journal-text"),
    Panel("merges", _("Merges"), "customers/panels/merges.html", _merges, order=40, slot="tab",
          icon="intersect"),
)  # fmt: skip
for _panel in BUILTIN_PANELS:
    register_panel(_panel)

# the product inventory below a line, written when an order completes (actions/subscriptions.py)
ACTION_LABELS.update(
    {
        "subscription.addon_start": _("Add-on put on the line"),
        "subscription.addons_end": _("Add-ons of the line ended"),
        "subscription.number_terms": _("Premium number terms recorded on the line"),
    }
)
