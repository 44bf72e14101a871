"""Demo catalog of the demo carrier: ``manage.py demo_data`` (after the customers, before the rules).

Categories, product specifications and about forty offerings of a Chinese mobile operator — 5G and
4G plans (every offer code the demo customers' lines carry, so their subscriptions resolve to catalog
offerings), data and voice add-ons, broadband 100M/500M/1000M, handsets, family bundles (融合套餐)
and enterprise products — with one-off, monthly and usage prices. 4G飞享 58 has a retired first version
and 4G飞享 38 is retired altogether, both still held by demo lines. A few group tariffs for demo
enterprise and group customers: approved, waiting for approval, approved on submission.

Everything goes through the catalog actions as the demo ``admin`` (tariffs as the account manager
``am`` and approved by ``branchmgr``), then the activation dates are set back to the offerings'
launch dates. Idempotent: offerings and tariffs that exist are left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import ProtectedError
from django.utils import timezone

from telcrm.platform.demo import DemoResetRefused, demo_generator

DEMO_MARK = {"demo": True}

CATEGORIES = (
    # code, name, name_en, parent, sort
    ("mobile", "移动套餐", "Mobile plans", None, 10),
    ("plans-5g", "5G套餐", "5G plans", "mobile", 11),
    ("plans-4g", "4G套餐", "4G plans", "mobile", 12),
    ("family-cards", "亲情副卡", "Family cards", "mobile", 13),
    ("add-ons", "增值包", "Add-ons", None, 20),
    ("data-packs", "流量包", "Data packs", "add-ons", 21),
    ("voice-packs", "语音包", "Voice packs", "add-ons", 22),
    ("broadband", "宽带", "Broadband", None, 30),
    ("bundles", "融合套餐", "Bundles", None, 40),
    ("devices", "终端", "Devices", None, 50),
    ("enterprise", "政企产品", "Enterprise products", None, 60),
)

# fmt: off
# ruff: noqa: E501 - the data tables keep one row per offering, wider than the line limit
SPECS = (
    # code, name, name_en, kind, brand, characteristics
    ("SPEC-5G-LINE", "5G移动号码", "5G mobile line", "mobile", "", [("网络", ["5G SA", "4G"]), ("卡类型", ["SIM", "eSIM"])]),
    ("SPEC-4G-LINE", "4G移动号码", "4G mobile line", "mobile", "", [("网络", ["4G"])]),
    ("SPEC-FTTH", "光纤宽带", "Fibre broadband", "broadband", "", [("速率", ["100M", "500M", "1000M"]), ("接入", ["FTTH"])]),
    ("SPEC-HANDSET", "手机终端", "Handset", "device", "", [("存储", ["256GB", "512GB"]), ("颜色", ["黑", "白", "蓝"])]),
    ("SPEC-IOT", "物联网连接", "IoT connectivity", "mobile", "", [("网络", ["NB-IoT", "4G Cat.1"])]),
    ("SPEC-VNET", "集团V网", "Group virtual network", "service", "", [("短号", ["3–6位"])]),
    ("SPEC-PACK", "流量/语音叠加包", "Data and voice packs", "service", "", []),
    ("SPEC-IPTV", "魔百和IPTV", "IPTV set-top service", "service", "", [("清晰度", ["4K"])]),
)

LAUNCH = dt.date(2025, 1, 1)
FIVE_G = ["5G-CX-128", "5G-CX-198", "5G-ZX-88", "QQT-288", "ENT-5G-158", "ENT-CX-128"]
# code, name, name_en, kind, categories, spec, monthly yuan, one-off yuan, features, other fields
OFFERINGS = (
    ("5G-CX-128", "5G畅享套餐 128元", "5G Enjoy 128", "plan", ["plans-5g"], "SPEC-5G-LINE", 128, 0,
     {"data_gb": 30, "voice_min": 500}, {"sort": 10}),
    ("5G-CX-198", "5G畅享套餐 198元", "5G Enjoy 198", "plan", ["plans-5g"], "SPEC-5G-LINE", 198, 0,
     {"data_gb": 60, "voice_min": 1000}, {"sort": 11}),
    ("5G-ZX-88", "5G智享套餐 88元", "5G Smart 88", "plan", ["plans-5g"], "SPEC-5G-LINE", 88, 0,
     {"data_gb": 20, "voice_min": 300}, {"sort": 12}),
    ("QQT-288", "全球通尊享套餐 288元", "GoTone Premier 288", "plan", ["plans-5g"], "SPEC-5G-LINE", 288, 0,
     {"data_gb": 100, "voice_min": 2000}, {"sort": 13, "channels": ["counter", "agent"]}),
    ("4G-FX-58", "4G飞享套餐 58元", "4G Fly 58", "plan", ["plans-4g"], "SPEC-4G-LINE", 58, 0,
     {"data_gb": 10, "voice_min": 200}, {"sort": 20}),
    ("DGDD-29", "动感地带潮玩卡 29元", "M-Zone Play 29", "plan", ["plans-4g"], "SPEC-4G-LINE", 29, 0,
     {"data_gb": 15, "voice_min": 50}, {"sort": 22}),
    ("QQH-18", "亲情号副卡 18元", "Family card 18", "plan", ["family-cards"], "SPEC-4G-LINE", 18, 0,
     {"data_gb": 5, "voice_min": 100}, {"sort": 30}),
    # add-ons
    ("DATA-10G-30", "10GB流量包（月包）", "10GB data pack (monthly)", "add_on", ["data-packs"], "SPEC-PACK", 30, 0,
     {"data_gb": 10}, {"applies_to_kinds": ["plan", "bundle"], "sort": 40}),
    ("DATA-30G-50", "30GB流量包（月包）", "30GB data pack (monthly)", "add_on", ["data-packs"], "SPEC-PACK", 50, 0,
     {"data_gb": 30}, {"applies_to_kinds": ["plan", "bundle"], "sort": 41}),
    ("DATA-DAY-5", "1GB日租包", "1GB day pass", "add_on", ["data-packs"], "SPEC-PACK", 0, 5,
     {"data_gb": 1}, {"applies_to_kinds": ["plan"], "sort": 42, "channels": ["self_service", "counter"]}),
    ("ADD-5G-FLOW-20G", "5G流量加油包 20GB", "5G data boost 20GB", "add_on", ["data-packs"], "SPEC-PACK", 20, 0,
     {"data_gb": 20}, {"applies_to_codes": FIVE_G, "sort": 43}),
    ("VOICE-200-20", "200分钟语音包", "200-minute voice pack", "add_on", ["voice-packs"], "SPEC-PACK", 20, 0,
     {"voice_min": 200}, {"applies_to_kinds": ["plan", "bundle"], "sort": 45}),
    ("VOICE-IDD-30", "国际长途优惠包", "International call pack", "add_on", ["voice-packs"], "SPEC-PACK", 30, 0,
     {"voice_min": 100}, {"applies_to_kinds": ["plan"], "sort": 46, "channels": ["counter"]}),
    # broadband
    ("BB-100M", "100M光纤宽带", "100M fibre broadband", "broadband", ["broadband"], "SPEC-FTTH", 59, 100,
     {"speed_mbps": 100}, {"sort": 50, "commitment_months": 12}),
    ("BB-500M", "500M光纤宽带", "500M fibre broadband", "broadband", ["broadband"], "SPEC-FTTH", 99, 100,
     {"speed_mbps": 500}, {"sort": 51, "commitment_months": 12}),
    ("BB-1000M", "千兆光纤宽带", "Gigabit fibre broadband", "broadband", ["broadband"], "SPEC-FTTH", 159, 0,
     {"speed_mbps": 1000}, {"sort": 52, "commitment_months": 24}),
    ("BB-IPTV-15", "魔百和4K电视", "4K IPTV", "add_on", ["broadband"], "SPEC-IPTV", 15, 0,
     {}, {"applies_to_kinds": ["broadband", "bundle"], "sort": 55}),
    # devices
    ("DEV-HW-MATE60", "华为 Mate 60 256GB", "Huawei Mate 60 256GB", "device", ["devices"], "SPEC-HANDSET", 0, 5499,
     {}, {"sort": 70}),
    ("DEV-XM-14", "小米14 256GB", "Xiaomi 14 256GB", "device", ["devices"], "SPEC-HANDSET", 0, 3999, {}, {"sort": 71}),
    ("DEV-IP15", "iPhone 15 128GB", "iPhone 15 128GB", "device", ["devices"], "SPEC-HANDSET", 0, 5999, {}, {"sort": 72}),
    ("DEV-CONTRACT-5G", "5G合约机（存费送机，24个月）", "5G contract handset (24 months)", "device", ["devices"],
     "SPEC-HANDSET", 0, 1999, {}, {"sort": 73, "commitment_months": 24, "channels": ["counter", "agent"]}),
    # enterprise
    ("ENT-5G-158", "政企5G套餐 158元", "Enterprise 5G 158", "plan", ["enterprise", "plans-5g"], "SPEC-5G-LINE", 158, 0,
     {"data_gb": 50, "voice_min": 1500}, {"sort": 80, "channels": ["counter", "agent"]}),
    ("ENT-CX-128", "5G畅享套餐 128元（集团统付）", "5G Enjoy 128 (group-paid)", "plan", ["enterprise", "plans-5g"],
     "SPEC-5G-LINE", 128, 0, {"data_gb": 30, "voice_min": 500}, {"sort": 81, "channels": ["counter", "agent"]}),
    ("ENT-VNET-10", "集团V网成员 10元", "Group V-net member 10", "plan", ["enterprise"], "SPEC-VNET", 10, 0,
     {"voice_min": 1000}, {"sort": 82, "channels": ["counter", "agent"]}),
    ("ENT-IOT-5", "物联网卡 5元", "IoT card 5", "plan", ["enterprise"], "SPEC-IOT", 5, 0,
     {}, {"sort": 83, "channels": ["counter", "agent"]}),
)
# retired altogether in 2025; old lines still hold it
RETIRED_4G_38 = ("4G-FX-38", "4G飞享套餐 38元", "4G Fly 38", "plan", ["plans-4g"], "SPEC-4G-LINE", 38, 0,
                 {"data_gb": 5, "voice_min": 100}, {"sort": 21})
# bundles: code, name, name_en, monthly yuan, members [(code, min, max, optional)], features
BUNDLES = (
    ("HOME-169", "家庭融合套餐 169元（含千兆宽带）", "Family bundle 169 (with gigabit broadband)", 169,
     [("5G-CX-128", 1, 1, False), ("BB-1000M", 1, 1, False), ("QQH-18", 0, 2, True)],
     {"data_gb": 40, "voice_min": 600, "speed_mbps": 1000}),
    ("HOME-129", "家庭融合套餐 129元（含500M宽带）", "Family bundle 129 (with 500M broadband)", 129,
     [("5G-ZX-88", 1, 1, False), ("BB-500M", 1, 1, False), ("QQH-18", 0, 1, True)],
     {"data_gb": 25, "voice_min": 400, "speed_mbps": 500}),
)
# fmt: on


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _users():
    from telcrm.platform.models import User

    users = {u.username: u for u in User.objects.filter(username__in=["admin", "am", "branchmgr"])}
    return users.get("admin"), users.get("am"), users.get("branchmgr")


def _usage_prices(actor, offering, spec: str, launch: dt.date = LAUNCH) -> None:
    from . import actions

    if spec in ("SPEC-5G-LINE", "SPEC-4G-LINE"):
        actions.price_create(
            actor=actor,
            offering=offering,
            name="套餐外流量",
            name_en="Data beyond the allowance",
            price_type="usage",
            amount_fen=500,
            usage_unit="MB",
            unit_amount=1024,
            valid_from=_moment(launch),
            extra=DEMO_MARK,
        )
        actions.price_create(
            actor=actor,
            offering=offering,
            name="套餐外语音",
            name_en="Calls beyond the allowance",
            price_type="usage",
            amount_fen=15,
            usage_unit="minute",
            unit_amount=1,
            valid_from=_moment(launch),
            extra=DEMO_MARK,
        )


def _make_offering(actor, row, specs, cats, *, activate=True, launch=LAUNCH):
    from . import actions

    code, name, name_en, kind, categories, spec, monthly, one_off, features, options = row
    options = dict(options)
    offering = actions.offering_create(
        actor=actor,
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        categories=[cats[c] for c in categories],
        specification=specs[spec],
        features=features,
        valid_from=_moment(launch),
        extra=DEMO_MARK,
        **options,
    )
    if monthly:
        actions.price_create(
            actor=actor,
            offering=offering,
            name="月功能费",
            name_en="Monthly fee",
            price_type="recurring",
            amount_fen=monthly * 100,
            valid_from=_moment(launch),
            extra=DEMO_MARK,
        )
    if one_off:
        label = ("终端价款", "Device price") if kind == "device" else ("一次性费用", "One-off charge")
        if kind == "broadband":
            label = ("安装调测费", "Installation fee")
        actions.price_create(
            actor=actor,
            offering=offering,
            name=label[0],
            name_en=label[1],
            price_type="one_off",
            amount_fen=one_off * 100,
            valid_from=_moment(launch),
            extra=DEMO_MARK,
        )
    _usage_prices(actor, offering, spec, launch)
    if activate:
        offering = actions.offering_activate(actor=actor, offering=offering)
    return offering


def _backdate(offering, activated: dt.date, retired: dt.date | None = None) -> None:
    from .models import ProductOffering

    ProductOffering.objects.filter(pk=offering.pk).update(
        activated_at=_moment(activated), retired_at=_moment(retired) if retired else None
    )


def build_catalog(actor) -> int:
    """The demo categories, specifications and offerings that do not exist yet; returns how many
    offerings were made."""
    from . import actions
    from .models import Catalog, Category, ProductOffering, ProductSpecification

    cats = {c.code: c for c in Category.objects.all()}
    for code, name, name_en, parent, sort in CATEGORIES:
        if code not in cats:
            cats[code] = actions.category_save(
                actor=actor,
                code=code,
                name=name,
                name_en=name_en,
                parent=cats.get(parent) if parent else None,
                sort=sort,
                extra=DEMO_MARK,
            )
    specs = {s.code: s for s in ProductSpecification.objects.all()}
    for code, name, name_en, kind, brand, chars in SPECS:
        if code not in specs:
            specs[code] = actions.specification_save(
                actor=actor,
                code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                brand=brand,
                characteristics=[{"name": n, "valueType": "string", "values": v} for n, v in chars],
                extra=DEMO_MARK,
            )
    if not Catalog.objects.filter(code="zj-retail").exists():
        actions.catalog_save(
            actor=actor,
            code="zj-retail",
            name="浙江公司个人及家庭产品目录",
            name_en="Zhejiang consumer catalog",
            catalog_type="retail",
            categories=[cats[c] for c in ("mobile", "add-ons", "broadband", "bundles", "devices")],
            extra=DEMO_MARK,
        )
        actions.catalog_save(
            actor=actor,
            code="zj-enterprise",
            name="浙江公司政企产品目录",
            name_en="Zhejiang enterprise catalog",
            catalog_type="enterprise",
            categories=[cats["enterprise"]],
            extra=DEMO_MARK,
        )
    existing = set(ProductOffering.objects.values_list("code", flat=True))
    made = 0
    for row in sorted(OFFERINGS, key=lambda r: r[3] == "add_on"):  # add-ons name the plans they go with
        if row[0] in existing:
            continue
        if row[0] == "4G-FX-58":
            # version 1 (8GB) sold from 2024 and retired when version 2 (10GB) launched in 2025
            old = list(row)
            old[8] = {"data_gb": 8, "voice_min": 200}
            v1 = _make_offering(actor, tuple(old), specs, cats, launch=dt.date(2024, 3, 1))
            v2 = actions.offering_update(
                actor=actor, offering=v1, features=row[8], valid_from=_moment(LAUNCH)
            )
            v2 = actions.offering_activate(actor=actor, offering=v2)
            _backdate(v1, dt.date(2024, 3, 1), LAUNCH)
            _backdate(v2, LAUNCH)
        else:
            _backdate(_make_offering(actor, row, specs, cats), LAUNCH)
        made += 1
    if "4G-FX-38" not in existing:
        # retired altogether in 2025; old lines still hold it
        row = RETIRED_4G_38
        old = _make_offering(actor, row, specs, cats, launch=dt.date(2023, 6, 1))
        actions.offering_retire(actor=actor, offering=old, reason="产品整合：由4G飞享58元替代")
        _backdate(old, dt.date(2023, 6, 1), dt.date(2025, 7, 1))
        made += 1
    for code, name, name_en, monthly, members, features in BUNDLES:
        if code in existing:
            continue
        bundle = actions.offering_create(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            kind="bundle",
            categories=[cats["bundles"]],
            features=features,
            valid_from=_moment(LAUNCH),
            commitment_months=24,
            sort=60,
            extra=DEMO_MARK,
        )
        actions.price_create(
            actor=actor,
            offering=bundle,
            name="月功能费",
            name_en="Monthly fee",
            price_type="recurring",
            amount_fen=monthly * 100,
            valid_from=_moment(LAUNCH),
            extra=DEMO_MARK,
        )
        for sort, (member, lo, hi, optional) in enumerate(members):
            actions.bundle_member_add(
                actor=actor,
                bundle=bundle,
                member=member,
                min_qty=lo,
                max_qty=hi,
                optional=optional,
                sort=sort,
            )
        _backdate(actions.offering_activate(actor=actor, offering=bundle), LAUNCH)
        made += 1
    if "DATA-30G-50" not in existing:
        _promo_price_chain(actor)
    return made


def _promo_price_chain(actor) -> None:
    """A 2026 summer price for 30GB packs: a new version with two consecutive recurring periods."""
    from . import actions
    from .models import PriceType, ProductOffering

    current = ProductOffering.objects.get(code="DATA-30G-50", lifecycle_status="active")
    draft = actions.offering_update(
        actor=actor, offering=current, description="2026年暑期特惠：7–8月每月40元"
    )
    price = draft.prices.get(price_type=PriceType.RECURRING)
    summer, autumn = _moment(dt.date(2026, 7, 1)), _moment(dt.date(2026, 9, 1))
    actions.price_update(actor=actor, price=price, valid_to=summer)
    actions.price_create(
        actor=actor,
        offering=draft,
        name="暑期特惠月费",
        name_en="Summer monthly fee",
        price_type="recurring",
        amount_fen=4000,
        valid_from=summer,
        valid_to=autumn,
        extra=DEMO_MARK,
    )
    actions.price_create(
        actor=actor,
        offering=draft,
        name="月功能费",
        name_en="Monthly fee",
        price_type="recurring",
        amount_fen=5000,
        valid_from=autumn,
        extra=DEMO_MARK,
    )
    actions.offering_activate(actor=actor, offering=draft)
    _backdate(draft, dt.date(2026, 6, 20))
    ProductOffering.objects.filter(pk=current.pk).update(retired_at=_moment(dt.date(2026, 6, 20)))


# --- group tariffs -------------------------------------------------------------------------------
DEMO_BRANCH = "ZJ-HZ-B01"  # where the demo am and branchmgr work


def _demo_groups(branch: str):
    """Group and enterprise customers of the demo branch."""
    from telcrm.customers.models import Customer

    base = Customer.objects.dangerously_unscoped().filter(status="active", org_unit__code=branch)
    groups = list(base.filter(customer_type="group").order_by("id")[:2])
    enterprises = list(base.filter(customer_type="enterprise", parent__isnull=True).order_by("id")[:2])
    return groups, enterprises


TARIFFS = (
    # (which customer, name, offering_code, category, kind, value, approve?)
    ("group0", "集团5G套餐统一85折", "", "plans-5g", "percent_off", 15, "approve"),
    ("group0", "政企5G套餐集团特价128元", "ENT-5G-158", "", "special_price_fen", 12800, "approve"),
    ("group1", "集团V网成员费减免5元", "ENT-VNET-10", "", "amount_off_fen", 500, "pending"),
    ("ent0", "千兆宽带企业九五折", "BB-1000M", "", "percent_off", 5, "auto"),
    ("ent1", "5G畅享128集团统付8折（申请中）", "ENT-CX-128", "", "percent_off", 20, "pending"),
)


def build_tariffs(am, manager, *, branch: str = DEMO_BRANCH, clerk: str = "clerk") -> int:
    from telcrm.customers.models import Customer

    from . import actions
    from .models import Category, GroupTariff

    if am is None or manager is None:
        return 0
    if GroupTariff.objects.dangerously_unscoped().filter(extra__demo=True).exists():
        return 0
    groups, enterprises = _demo_groups(branch)
    who: dict[str, Customer] = {f"group{i}": c for i, c in enumerate(groups)}
    who.update({f"ent{i}": c for i, c in enumerate(enterprises)})
    if groups:
        _enrol_employees(groups[0], clerk)
    today = timezone.localdate()
    made = 0
    for key, name, code, category, kind, value, step in TARIFFS:
        customer = who.get(key)
        if customer is None:
            continue
        tariff = actions.tariff_create(
            actor=am,
            customer=customer,
            name=name,
            offering_code=code,
            category=Category.objects.get(code=category) if category else None,
            kind=kind,
            value=value,
            valid_from=dt.date(today.year, 1, 1),
            valid_to=dt.date(today.year + 1, 12, 31),
            reason="年度集团客户合作协议" if step != "pending" else "客户续约谈判，要求优惠",
        )
        GroupTariff.objects.filter(pk=tariff.pk).update(extra=DEMO_MARK)
        if step == "approve" and tariff.status == "pending_approval":
            actions.tariff_approve(actor=manager, tariff=tariff, note="符合集团合作协议")
        made += 1
    return made


def _enrol_employees(group, clerk: str) -> None:
    """A few individual customers of the demo clerk become members of the first demo group (employees
    on the group's plan), so the clerk sees the group tariff on their prices. Generated data: a plain
    update without history rows, like the customers demo's own rows (``--reset`` still removes them)."""
    from telcrm.customers.models import Customer

    people = (
        Customer.objects.dangerously_unscoped()
        .filter(owner__username=clerk, customer_type="individual", status="active", parent__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)[:3]
    )
    Customer.objects.dangerously_unscoped().filter(pk__in=list(people)).update(parent=group)


def reset_catalog(*, stdout) -> None:
    """Delete the demo tariffs and the demo catalog; refused while orders refer to the offerings."""
    from .models import (
        BundledOffering,
        Catalog,
        Category,
        GroupTariff,
        ProductOffering,
        ProductOfferingPrice,
        ProductSpecification,
    )

    GroupTariff.objects.dangerously_unscoped().filter(extra__demo=True).delete()
    try:
        demo = ProductOffering.objects.filter(extra__demo=True)
        BundledOffering.objects.filter(bundle__in=demo).delete()
        ProductOfferingPrice.objects.filter(offering__in=demo).delete()
        demo.delete()
        Catalog.objects.filter(extra__demo=True).delete()
        for _ in range(3):  # children before parents
            Category.objects.filter(extra__demo=True, children__isnull=True).delete()
        ProductSpecification.objects.filter(extra__demo=True).delete()
    except ProtectedError as exc:
        raise DemoResetRefused("catalog: orders or tariffs refer to demo offerings") from exc
    stdout.write("  catalog: demo catalog deleted")


@demo_generator(order=25, name="catalog", reset=reset_catalog)
def catalog_demo(*, stdout, customers: int, rng: random.Random) -> None:
    admin, am, manager = _users()
    if admin is None:
        stdout.write("  catalog: no demo admin; skipped")
        return
    made = build_catalog(admin)
    tariffs = build_tariffs(am, manager)
    stdout.write(f"  catalog: {made} offerings, {tariffs} group tariffs")
