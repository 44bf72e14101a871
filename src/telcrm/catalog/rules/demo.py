"""Demo rule tables: what a carrier's product managers keep (runs after the customers demo).

Offering codes are those of the demo subscriptions (``customers/demo/data.py``: 5G-CX-128 …,
ENT-5G-158 …) plus a few the demo catalog adds for other kinds: ``ADD-5G-FLOW-20G`` (5G流量加油包,
an add-on), ``BB-1000M`` (千兆宽带), ``DEV-CONTRACT-5G`` (5G合约机, a contract device).

Tables, made through the actions as the demo administrator:

- ``ELIG-CUSTOMER`` (eligibility): 5G plans need credit level 2 or more; enterprise-only offerings
  are refused to individuals; minors cannot buy contract devices; published as version 1, then
  version 2 adds a warning for VIP customers taking an entry plan (so the diff page has a change).
- ``ELIG-LINES`` (eligibility): 一证五号 — an individual with 5 live lines gets no new plan.
- ``COMPAT-OFFERINGS`` (compatibility): two base plans in one order exclude each other; the 5G
  add-on requires a 5G plan held or in the same order; gigabit broadband is refused where the
  installation address has only copper (``access_technology``) and warns when no address is given.
- ``ELIG-CAMPAIGN`` (eligibility, inactive, draft only): a campaign rule being prepared.

Idempotent: a table whose code exists is left as it is.
"""

from __future__ import annotations

import random

from telcrm.platform.demo import demo_generator

from . import dmn

FIVE_G = '"5G-CX-128", "5G-CX-198", "5G-ZX-88", "ENT-5G-158", "ENT-CX-128"'
FIVE_G_SET = '{"5G-CX-128", "5G-CX-198", "5G-ZX-88", "ENT-5G-158", "ENT-CX-128"}'
ENTERPRISE_ONLY = '"ENT-5G-158", "ENT-VNET-10", "ENT-IOT-5", "ENT-CX-128"'
BASE_PLANS = (
    '{"5G-CX-128", "5G-CX-198", "5G-ZX-88", "4G-FX-58", "4G-FX-38", "DGDD-29", "QQT-288", "HOME-169", '
    '"ENT-5G-158", "ENT-CX-128"}'
)
GIGABIT = '"BB-1000M", "HOME-169"'  # gigabit broadband, alone or in the home bundle
CODES = ("ELIG-CUSTOMER", "ELIG-LINES", "COMPAT-OFFERINGS", "ELIG-CAMPAIGN")


def _col(n: int, label: str, expression: str | None = None) -> dmn.Column:
    return dmn.Column(f"input_{n}", label, expression or label)


def customer_grid(*, with_vip_warning: bool) -> dmn.Grid:
    cols = [
        _col(1, "offering"),
        _col(2, "customer_type"),
        _col(3, "credit_level"),
        _col(4, "age"),
        _col(5, "value_tier"),
    ]
    rows = [
        dmn.Row(
            "credit_5g",
            [FIVE_G, "-", "< 2", "-", "-"],
            "deny",
            "信用等级低于2级的客户不能办理5G套餐",
            "5G plans need credit level 2 or above",
            note="信用管控",
        ),
        dmn.Row(
            "enterprise_only",
            [ENTERPRISE_ONLY, '"individual"', "-", "-", "-"],
            "deny",
            "政企专属产品，个人客户不能办理",
            "Enterprise-only offering: individuals cannot order it",
        ),
        dmn.Row(
            "minor_contract_device",
            ['"DEV-CONTRACT-5G"', "-", "-", "< 18", "-"],
            "deny",
            "未满18周岁不能办理合约机",
            "Customers under 18 cannot take a contract device",
            note="合约机需成年人签约",
        ),
    ]
    if with_vip_warning:
        rows.append(
            dmn.Row(
                "vip_entry_plan",
                ['"4G-FX-38", "DGDD-29"', "-", "-", "-", '"vip"'],
                "warn",
                "VIP客户办理低档套餐，请确认客户意愿并推荐合适的套餐",
                "A VIP customer is taking an entry plan: confirm and suggest a better fit",
            )
        )
    return dmn.Grid(cols, rows, decision_id=dmn.decision_id_for("ELIG-CUSTOMER"), name="客户受理资格")


def lines_grid() -> dmn.Grid:
    return dmn.Grid(
        [_col(1, "offering_kind"), _col(2, "customer_type"), _col(3, "live_lines")],
        [
            dmn.Row(
                "one_id_five_lines",
                ['"plan"', '"individual"', ">= 5"],
                "deny",
                "一证五号：该证件名下已有5个在用号码，不能再办理新号码",
                "One ID, five lines: this ID already holds 5 live lines",
                note="工信部一证五号规定",
            )
        ],
        decision_id=dmn.decision_id_for("ELIG-LINES"),
        name="一证五号",
    )


def compatibility_grid() -> dmn.Grid:
    return dmn.Grid(
        [
            _col(1, "offering"),
            _col(2, "offering_kind"),
            _col(3, "base plans in cart", f"len(set(cart) & {BASE_PLANS})"),
            _col(4, "access_technology"),
        ],
        [
            dmn.Row(
                "one_base_plan",
                ["-", '"plan"', ">= 1", "-"],
                "deny",
                "同一订单只能办理一个主套餐，两个主套餐互斥",
                "Two base plans exclude each other: one base plan per order",
            ),
            dmn.Row(
                "addon_needs_5g",
                ['"ADD-5G-FLOW-20G"', "-", "-", "-"],
                "require",
                "5G流量加油包需已办理或同时办理5G套餐",
                "The 5G data add-on needs a 5G plan, held or in the same order",
                requires=["5G-CX-128", "5G-CX-198", "5G-ZX-88", "ENT-5G-158", "ENT-CX-128"],
            ),
            dmn.Row(
                "gigabit_copper",
                [GIGABIT, "-", "-", '"copper"'],
                "deny",
                "千兆宽带需光纤入户：该装机地址只有铜缆接入（最高100M），不能办理千兆宽带",
                "Gigabit broadband needs fibre: this address has copper only (100M at most)",
                note="铜缆接入不可装千兆",
            ),
            dmn.Row(
                "gigabit_address_unknown",
                [GIGABIT, "-", "-", '""'],
                "warn",
                "千兆宽带需光纤入户，未提供装机地址或地址未覆盖，请先核实装机地址覆盖",
                "Gigabit broadband needs fibre; no covered installation address was given — "
                "check the address's coverage",
            ),
        ],
        decision_id=dmn.decision_id_for("COMPAT-OFFERINGS"),
        name="产品兼容规则",
    )


def campaign_grid() -> dmn.Grid:
    return dmn.Grid(
        [_col(1, "offering"), _col(2, "tenure_months"), _col(3, "channel")],
        [
            dmn.Row(
                "new_customer_offer",
                ['"5G-ZX-88"', ">= 6", '"self_service"'],
                "deny",
                "新客专享活动仅限入网6个月内的客户",
                "The new-customer offer is for customers of less than 6 months",
            )
        ],
        decision_id=dmn.decision_id_for("ELIG-CAMPAIGN"),
        name="新客活动资格（筹备中）",
    )


def _admin():
    from telcrm.platform.models import User

    return User.objects.filter(username="admin").first()


def build_demo_rules(actor) -> list[str]:
    """Create the demo tables that do not exist yet; returns their codes."""
    from . import actions
    from .models import DecisionTable

    existing = set(DecisionTable.objects.filter(code__in=CODES).values_list("code", flat=True))
    made = []

    def table(code, name, name_en, kind, description, grids, *, active=True, publish_last=True):
        if code in existing:
            return
        t = actions.rule_table_create(
            actor=actor, code=code, name=name, name_en=name_en, kind=kind, description=description
        )
        for i, (grid, comment) in enumerate(grids):
            version = actions.rule_draft_save(actor=actor, table=t, dmn_xml=dmn.to_xml(grid), comment=comment)
            if publish_last or i < len(grids) - 1:
                actions.rule_version_publish(actor=actor, version=version)
        if not active:
            actions.rule_table_update(
                actor=actor,
                table=t,
                name=name,
                name_en=name_en,
                kind=kind,
                description=description,
                is_active=False,
            )
        made.append(code)

    table(
        "ELIG-CUSTOMER",
        "客户受理资格",
        "Customer eligibility",
        "eligibility",
        "按客户信用、类型、年龄判断能否办理：5G套餐信用门槛、政企专属产品、未成年人合约机。",
        [
            (customer_grid(with_vip_warning=False), "首版：信用、政企专属、未成年人"),
            (customer_grid(with_vip_warning=True), "增加VIP客户低档套餐提醒"),
        ],
    )
    table(
        "ELIG-LINES",
        "一证五号",
        "One ID, five lines",
        "eligibility",
        "同一证件名下在用号码不超过5个（新办套餐时检查）。",
        [(lines_grid(), "一证五号")],
    )
    table(
        "COMPAT-OFFERINGS",
        "产品兼容规则",
        "Offering compatibility",
        "compatibility",
        "主套餐互斥、附加包依赖5G套餐、千兆宽带铜缆地址不可办理。",
        [(compatibility_grid(), "首版")],
    )
    table(
        "ELIG-CAMPAIGN",
        "新客活动资格（筹备中）",
        "New-customer campaign (in preparation)",
        "eligibility",
        "下月活动的资格规则，尚未发布。",
        [(campaign_grid(), "草稿")],
        active=False,
        publish_last=False,
    )
    return made


def reset_rules(stdout) -> None:
    from .models import DecisionTable

    n, _detail = DecisionTable.objects.filter(code__in=CODES).delete()
    stdout.write(f"  catalog rules: {n} rows deleted")


@demo_generator(order=32, name="catalog_rules", reset=reset_rules)
def rules_demo(*, stdout, customers: int, rng: random.Random) -> None:
    actor = _admin()
    if actor is None:
        stdout.write("  catalog rules: no admin user; skipped")
        return
    made = build_demo_rules(actor)
    stdout.write(
        f"  catalog rules: {len(made)} tables" + (f" ({', '.join(made)})" if made else " (exist already)")
    )
