"""Demo processes and work orders (runs after the platform, the customers and the catalog rules).

- Every shipped BPMN process (``processes/bpmn/*.bpmn``: new line, broadband installation, plan change,
  add-on, SIM swap, suspend/resume, ownership transfer, port-in, termination) becomes a definition
  with an active version 1, through the actions, as the demo administrator.
- A few dozen demo orders (business keys ``DEMO-…``) run through them at the Hangzhou branches, started
  by the demo clerk and advanced at once: some finished, some waiting for verification in the
  back-office queue (ZJ-HZ-BO1), one claimed by the demo back-office user, broadband orders waiting
  for dispatch and installation, a couple past their deadline so the SLA pages have something to show.

Idempotent: definitions that exist are left as they are; the orders are made only once.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.utils import timezone

from telcrm.platform.demo import DemoResetRefused, demo_generator

BPMN_DIR = Path(__file__).resolve().parent / "processes" / "bpmn"
DEMO_PREFIX = "DEMO-"

# key: (file, name, English name, description)
DEFINITIONS: dict[str, tuple[str, str, str, str]] = {
    "order.new_line": (
        "new_line",
        "新装入网",
        "New line",
        "订单核定 → 计费开户 → 网络开通 → 计费入帐 → 销单入库",
    ),
    "order.broadband": (
        "broadband",
        "宽带装机",
        "Broadband installation",
        "核定 → 派单 → 预占端口 → 上门装机 → 开通 → 入帐 → 销单",
    ),
    "order.plan_change": (
        "plan_change",
        "套餐变更",
        "Plan change",
        "资格规则 → 计费与网络变更 → 入帐 → 销单",
    ),
    "order.add_on": ("add_on", "订购附加包", "Add-on", "兼容规则 → 网络开通 → 计费订购 → 销单"),
    "order.sim_swap": ("sim_swap", "补换卡", "SIM swap", "实名核验 → 换卡 → 销单"),
    "order.suspend_resume": ("suspend_resume", "停机复机", "Suspend and resume", "停机或复机 → 销单"),
    "order.transfer": ("transfer", "过户", "Ownership transfer", "资料核定 → 计费过户 → 销单"),
    "order.port_in": (
        "port_in",
        "携号转入",
        "Number port-in",
        "携转核定 → 转入 → 等待生效 → 开户开通 → 入帐 → 销单",
    ),
    "order.termination": ("termination", "销户", "Termination", "核定（结清欠费） → 拆机 → 计费销户 → 销单"),
}


def _user(username: str):
    from telcrm.platform.models import User

    return User.objects.filter(username=username, is_active=True).select_related("org_unit").first()


def load_definitions(actor) -> list[str]:
    """Create (and publish) the shipped definitions that do not exist yet; their keys."""
    from . import actions
    from .models import ProcessDefinition

    made = []
    for key, (file, name, name_en, description) in DEFINITIONS.items():
        if ProcessDefinition.objects.filter(key=key).exists():
            continue
        xml = (BPMN_DIR / f"{file}.bpmn").read_text(encoding="utf-8")
        definition = actions.process_definition_create(
            actor=actor,
            key=key,
            name=name,
            name_en=name_en,
            description=description,
            bpmn_xml=xml,
            comment="首版",
        )
        actions.process_version_publish(actor=actor, version=definition.versions.get())
        made.append(key)
    return made


def _orders(rng: random.Random, clerk, backoffice) -> int:
    """Demo orders through the processes, advanced at once, some worked on."""
    from . import actions
    from .models import ProcessInstance, WorkOrder, WorkOrderState
    from .processes import engine

    if ProcessInstance.objects.filter(business_key__startswith=DEMO_PREFIX).exists():
        return 0
    plan = [
        ("order.new_line", 14, lambda n: {"msisdn": f"1390571{n:04d}"}),
        ("order.broadband", 6, lambda n: {"address": f"杭州市西湖区文三路{n}号"}),
        ("order.plan_change", 4, lambda n: {"facts": {"live_lines": 1 + n % 3, "offering": "5G-CX-128"}}),
        ("order.suspend_resume", 3, lambda n: {"action": "suspend" if n % 2 else "resume"}),
        ("order.sim_swap", 3, lambda n: {"msisdn": f"1380571{n:04d}"}),
        ("order.termination", 2, lambda n: {"msisdn": f"1370571{n:04d}"}),
    ]
    made = 0
    for key, count, data in plan:
        for _n in range(count):
            made += 1
            instance = actions.process_start(
                key=key, actor=clerk, data=data(made), business_key=f"{DEMO_PREFIX}{made:05d}"
            )
            engine.advance(instance)
    # the back office works the queue: about half verified, one claimed and in progress
    verify = list(
        WorkOrder.objects.filter(
            business_key__startswith=DEMO_PREFIX, element_id="verify", state=WorkOrderState.OPEN
        )
        .order_by("id")
        .select_related("instance")
    )
    rng.shuffle(verify)
    for wo in verify[: len(verify) // 2]:
        actions.work_order_complete(actor=backoffice, work_order=wo, note="资料齐全")
        engine.advance(wo.instance_id)
    rest = verify[len(verify) // 2 :]
    if rest:
        actions.work_order_claim(actor=backoffice, work_order=rest[0])
    # two orders that have waited too long: their deadlines passed (the SLA pages and alerts show them)
    past = timezone.now() - dt.timedelta(hours=3)
    late = [wo.pk for wo in rest[1:3]]
    WorkOrder.objects.filter(pk__in=late).update(warn_at=past - dt.timedelta(hours=1), due_at=past)
    return made


def reset_orders(stdout) -> None:
    from .models import ProcessDefinition, ProcessInstance, ProcessStep, WorkOrder

    others = ProcessInstance.objects.exclude(business_key__startswith=DEMO_PREFIX)
    if others.filter(definition__key__in=DEFINITIONS).exists():
        raise DemoResetRefused("orders outside the demo run on the demo processes")
    demo = ProcessInstance.objects.filter(business_key__startswith=DEMO_PREFIX)
    WorkOrder.objects.filter(instance__in=demo).delete()
    ProcessStep.objects.filter(instance__in=demo).delete()
    n, _detail = demo.delete()
    m, _detail = ProcessDefinition.objects.filter(key__in=DEFINITIONS).delete()
    stdout.write(f"  processes: {n} demo orders and {m} definition rows deleted")


@demo_generator(order=60, name="processes", reset=reset_orders)
def processes_demo(*, stdout, customers: int, rng: random.Random) -> None:
    admin = _user("admin")
    if admin is None:
        stdout.write("  processes: no admin user; skipped")
        return
    made = load_definitions(admin)
    clerk, backoffice = _user("clerk"), _user("backoffice")
    orders = _orders(rng, clerk, backoffice) if clerk is not None and backoffice is not None else 0
    stdout.write(f"  processes: {len(made)} definitions, {orders} demo orders")
