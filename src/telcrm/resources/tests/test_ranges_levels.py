"""Ranges (号段) and levels (靓号等级): validation with field errors, overlap refusal, generation by
bulk insert (idempotent, adopting numbers that exist), recomputing the levels of free numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog
from telcrm.resources import actions
from telcrm.resources.models import Number, NumberLevel, NumberRange

from ._fixtures import make_levels

pytestmark = pytest.mark.django_db


def field_of(exc_info) -> tuple[str, str]:
    ((field, errors),) = exc_info.value.error_dict.items()
    return field, errors[0].code


# --- ranges ---------------------------------------------------------------------------------------
def test_a_range_from_a_prefix_or_from_both_ends(carrier):
    admin = carrier["admin"]
    a = actions.range_create(admin, region=carrier.city, prefix="1380571", brand="gotone", note=" 主城区 ")
    assert (a.start, a.end, a.size, a.prefix, a.brand, a.note) == (
        "13805710000",
        "13805719999",
        10_000,
        "1380571",
        "gotone",
        "主城区",
    )
    b = actions.range_create(admin, region=carrier.province, start="13905710000", end="13905710499")
    assert (b.size, b.prefix) == (500, "")
    assert AuditLog.objects.filter(action="number_range.create").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"prefix": "1380571"}, "prefix", "overlap"),  # the very same block
        ({"prefix": "138057"}, "prefix", "overlap"),  # a block around it
        ({"start": "13805719999", "end": "13805720000"}, "start", "overlap"),  # touching its last number
        ({"start": "13805700000", "end": "13805710000"}, "start", "overlap"),  # touching its first number
        ({"prefix": "2380571"}, "prefix", "invalid"),
        ({"prefix": "13"}, "prefix", "invalid"),
        ({"start": "1380572000", "end": "13805720009"}, "start", "invalid"),
        ({"start": "13805720000", "end": ""}, "end", "required"),
        ({"start": "13805720009", "end": "13805720000"}, "end", "before_start"),
        ({"prefix": "139"}, "prefix", "too_large"),
        ({"prefix": "1380572", "brand": "nokia"}, "brand", "invalid_choice"),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(carrier, kwargs, field, code):
    admin = carrier["admin"]
    actions.range_create(admin, region=carrier.city, prefix="1380571")
    with pytest.raises(ValidationError) as exc:
        actions.range_create(admin, region=carrier.city, **kwargs)
    assert field_of(exc) == (field, code)
    assert NumberRange.objects.count() == 1


@pytest.mark.parametrize(
    ("region", "code"), [("branch", "invalid_kind"), ("hq", "invalid_kind"), (None, "required")]
)
def test_a_range_belongs_to_a_city_or_province(carrier, region, code):
    unit = getattr(carrier, region) if region else None
    with pytest.raises(ValidationError) as exc:
        actions.range_create(carrier["admin"], region=unit, prefix="1380571")
    assert field_of(exc) == ("region", code)


def test_only_the_number_administrator_manages_ranges(carrier):
    for role in ("clerk", "branch_manager", "analyst"):
        with pytest.raises(AccessDenied):
            actions.range_create(carrier[role], region=carrier.city, prefix="1380571")


def test_the_overlap_message_names_the_other_range(carrier):
    from telcrm.platform.errors import bilingual

    actions.range_create(carrier["admin"], region=carrier.city, prefix="1380571")
    with pytest.raises(ValidationError) as exc:
        actions.range_create(carrier["admin"], region=carrier.city, prefix="13805715")
    (item,) = bilingual(exc.value)
    assert item["field"] == "prefix"
    assert "13805710000–13805719999" in item["message_en"] and "13805710000–13805719999" in item["message_zh"]
    assert "重叠" in item["message_zh"]


def test_generation_inserts_in_bulk_with_levels_and_is_idempotent(carrier):
    admin = carrier["admin"]
    levels = make_levels(admin)
    rng = actions.range_create(admin, region=carrier.city, prefix="138057100")
    with CaptureQueriesContext(connection) as ctx:
        made = actions.generate_numbers(rng)
    assert made == 100
    assert len(ctx.captured_queries) < 20  # not one INSERT per number
    n = Number.objects.get(msisdn="13805710088")
    assert (n.state, n.region, n.range, n.has_four) == ("free", carrier.city, rng, False)
    assert Number.objects.get(msisdn="13805710000").level == levels["gold"]  # 0000
    assert Number.objects.get(msisdn="13805710045").has_four
    assert Number.objects.get(msisdn="13805710012").level == levels["ordinary"]
    rng.refresh_from_db()
    assert rng.number_count == 100 and rng.generated_at
    assert actions.generate_numbers(rng) == 0  # a second run adds nothing
    assert Number.objects.filter(range=rng).count() == 100


def test_generation_adopts_numbers_that_exist_already(carrier):
    admin = carrier["admin"]
    make_levels(admin)
    from telcrm.customers.testing import make_customer

    customer = make_customer(carrier.branch)
    Number.objects.create(msisdn="13805710050", region=carrier.city, state="assigned", customer=customer)
    rng = actions.range_create(admin, region=carrier.city, prefix="138057100")
    assert actions.generate_numbers(rng) == 99
    kept = Number.objects.get(msisdn="13805710050")
    assert (kept.state, kept.customer, kept.range) == ("assigned", customer, rng)


def test_the_generation_job_reports_progress(carrier, django_capture_on_commit_callbacks):
    from telcrm.platform.models import Job

    admin = carrier["admin"]
    rng = actions.range_create(admin, region=carrier.city, prefix="13805710")
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.range_generate(admin, rng)
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.progress_total, job.progress_done) == ("succeeded", 1000, 1000)
    assert job.result == {"range": rng.pk, "created": 1000}
    assert AuditLog.objects.filter(action="number_range.generate", actor=admin).exists()


def test_update_moves_numbers_and_keeps_the_span_once_generated(carrier):
    admin = carrier["admin"]
    rng = actions.range_create(admin, region=carrier.city, prefix="138057100")
    actions.range_update(admin, rng, prefix="138057101")  # no numbers yet: the span may change
    rng.refresh_from_db()
    assert rng.start == "13805710100"
    actions.generate_numbers(rng)
    with pytest.raises(ValidationError) as exc:
        actions.range_update(admin, rng, prefix="138057102")
    assert field_of(exc) == ("prefix", "has_numbers")
    actions.range_update(admin, rng, region=carrier.other_city, brand="mzone")
    assert Number.objects.filter(range=rng, region=carrier.other_city).count() == 100
    with pytest.raises(ValidationError) as exc:
        actions.range_update(admin, rng, number_count=5)
    assert field_of(exc) == ("number_count", "read_only")


def test_delete_only_unused_ranges(pool, carrier):
    admin = carrier["admin"]
    actions.number_reserve(carrier["clerk"], "13805710001")
    actions.number_release(carrier["clerk"], "13805710001")  # used once: history
    with pytest.raises(ValidationError) as exc:
        actions.range_delete(admin, pool.hz)
    assert field_of(exc) == ("range", "in_use")
    actions.number_freeze(admin, "13805740001", reason="x")
    with pytest.raises(ValidationError):
        actions.range_delete(admin, pool.nb)
    actions.range_delete(admin, pool.zj)
    assert not NumberRange.objects.filter(pk=pool.zj.pk).exists()
    assert not Number.objects.filter(msisdn__startswith="1980570").exists()


# --- levels --------------------------------------------------------------------------------------
def test_level_validation_names_every_wrong_field(carrier):
    admin = carrier["admin"]
    make_levels(admin)
    with pytest.raises(ValidationError) as exc:
        actions.level_create(admin, code="Bad Code", name="", rank=-1, price_fen=-5)
    assert set(exc.value.error_dict) == {"code", "name", "rank", "price_fen"}
    with pytest.raises(ValidationError) as exc:
        actions.level_create(admin, code="gold", name="x", rank=99)
    assert field_of(exc) == ("code", "duplicate")
    with pytest.raises(ValidationError) as exc:
        actions.level_create(admin, code="vip", name="x", rank=30)
    assert field_of(exc) == ("rank", "duplicate")


def test_one_default_level(carrier):
    admin = carrier["admin"]
    levels = make_levels(admin)
    actions.level_update(admin, levels["silver"], is_default=True)
    assert list(NumberLevel.objects.filter(is_default=True)) == [levels["silver"]]


def test_recompute_moves_free_numbers_only(pool, carrier):
    admin = carrier["admin"]
    from telcrm.customers.testing import make_customer

    actions.number_assign(
        carrier["clerk"], "13805710099", customer=make_customer(carrier.branch, owner=carrier["clerk"])
    )
    vip = actions.level_create(admin, code="vip", name="尊享", rank=50, price_fen=1)
    actions.rule_create(admin, level=vip, kind="tail", pattern="99")
    result = actions.recompute_free_levels()
    assert result["changed"] == 2  # 13805740099 and 19805700099; the assigned 13805710099 keeps its level
    assert Number.objects.get(msisdn="13805740099").level == vip
    assert Number.objects.get(msisdn="13805710099").level != vip
    with pytest.raises(ValidationError) as exc:
        actions.level_delete(admin, vip)
    assert field_of(exc) == ("level", "in_use")
    rule = vip.rules.get()
    actions.rule_delete(admin, rule)
    actions.recompute_free_levels()
    actions.level_delete(admin, vip)
    assert not NumberLevel.objects.filter(code="vip").exists()


def test_recompute_job(pool, carrier, django_capture_on_commit_callbacks):
    from telcrm.platform.models import Job

    with pytest.raises(AccessDenied):
        actions.levels_recompute(carrier["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.levels_recompute(carrier["admin"])
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded" and job.result == {"checked": 300, "changed": 0}
