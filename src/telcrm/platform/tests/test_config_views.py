"""Pages of parameters, dictionaries, calendars and holidays (views/config.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from telcrm.platform import actions, parameters
from telcrm.platform.models import AuditLog, DictType, Holiday, HolidayKind, Parameter, WorkCalendar
from telcrm.platform.parameters import param
from telcrm.platform.testing import count_queries

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin(carrier, client_for):
    return client_for(carrier["admin"])


@pytest.fixture
def rows(carrier):
    gender = DictType.objects.get(code="gender")
    holiday = Holiday.objects.create(date=date(2025, 10, 1), name="国庆节")
    return {
        "param": Parameter.objects.get(key="ui.page_size"),
        "dict": gender,
        "item": gender.items.get(code="m"),
        "calendar": WorkCalendar.objects.get(code="office"),
        "holiday": holiday,
    }


def field_errors(response) -> set[str]:
    """Names of the fields that carry an error in the rendered form."""
    return set(re.findall(r'data-field="([a-z_]+)"', response.content.decode()))


def page_urls(r) -> list[str]:
    return [
        reverse("parameter-list"),
        reverse("parameter-list") + "?q=page&group=ui",
        reverse("parameter-edit", args=[r["param"].pk]),
        reverse("parameter-history", args=[r["param"].pk]),
        reverse("dict-list"),
        reverse("dict-list") + "?q=gen",
        reverse("dict-create"),
        reverse("dict-detail", args=[r["dict"].pk]),
        reverse("dict-item-create", args=[r["dict"].pk]),
        reverse("dict-item-edit", args=[r["dict"].pk, r["item"].pk]),
        reverse("calendar-list"),
        reverse("calendar-list") + "?year=2025",
        reverse("calendar-list") + "?year=x",
        reverse("calendar-edit", args=[r["calendar"].pk]),
        reverse("holiday-create"),
        reverse("deadline-calculator"),
        reverse("deadline-calculator") + f"?calendar={r['calendar'].pk}&start=2025-01-06T09:00&minutes=60",
    ]


# --- access ---------------------------------------------------------------------------------
def test_every_page_renders_for_the_administrator(admin, rows):
    for url in page_urls(rows):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert b"<html" in response.content, url


def test_every_page_renders_as_htmx_partial(admin, rows):
    for url in page_urls(rows):
        response = admin.get(url, **HX)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", ["clerk", "branch_manager", "analyst"])
def test_other_roles_get_403(carrier, client_for, rows, role):
    client = client_for(carrier[role])
    for url in page_urls(rows):
        assert client.get(url).status_code == 403, url
    posts = [
        (reverse("parameter-edit", args=[rows["param"].pk]), {"value": "50", "reason": "x"}),
        (reverse("dict-create"), {"code": "x", "name": "X"}),
        (reverse("dict-item-create", args=[rows["dict"].pk]), {"code": "x", "label": "X", "sort_order": "0"}),
        (reverse("holiday-create"), {"date": "2025-05-01", "name": "劳动节", "kind": "holiday"}),
        (reverse("holiday-delete", args=[rows["holiday"].pk]), {}),
        (reverse("calendar-edit", args=[rows["calendar"].pk]), {"name": "X", "mon": "08:00-09:00"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Holiday.objects.filter(pk=rows["holiday"].pk).exists()
    assert not AuditLog.objects.filter(kind="write").exclude(action__startswith="org_unit").exists()


def test_anonymous_is_sent_to_sign_in(client, rows):
    response = client.get(reverse("parameter-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_rows_are_404(admin, rows):
    other = DictType.objects.get(code="priority").items.first()
    for url in [
        reverse("parameter-edit", args=[99999]),
        reverse("parameter-history", args=[99999]),
        reverse("dict-detail", args=[99999]),
        reverse("dict-item-create", args=[99999]),
        reverse("dict-item-edit", args=[rows["dict"].pk, other.pk]),  # an item of another dictionary
        reverse("calendar-edit", args=[99999]),
    ]:
        assert admin.get(url).status_code == 404, url
    assert admin.post(reverse("holiday-delete", args=[99999])).status_code == 404


# --- parameters -----------------------------------------------------------------------------
def test_parameter_list_groups_and_search(admin, rows):
    response = admin.get(reverse("parameter-list"))
    html = response.content.decode()
    for group in ("auth", "jobs", "ui", "export", "sla"):
        assert f'data-group="{group}"' in html
    assert "列表每页行数" in html and "ui.page_size" in html
    response = admin.get(reverse("parameter-list") + "?q=lockout", **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-key="auth.lockout_threshold"' in html
    assert 'data-key="ui.page_size"' not in html


def test_parameter_list_in_english(carrier, client_for):
    admin = carrier["admin"]
    actions.user_set_language(actor=admin, language="en")
    html = client_for(admin).get(reverse("parameter-list")).content.decode()
    assert "Rows per list page" in html


def test_parameter_edit_applies_at_once(admin, carrier, rows, django_capture_on_commit_callbacks):
    p = rows["param"]
    assert param("ui.page_size") == 25
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("parameter-edit", args=[p.pk]), {"value": "50", "reason": "工单 CR-1024"}
        )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("parameter-list"))
    p.refresh_from_db()
    assert (p.value, p.updated_by) == (50, carrier["admin"])
    assert param("ui.page_size") == 50
    page = admin.get(response["Location"])
    assert [str(m.message)[-3:] for m in page.context["messages"]] == ["：50"]  # "…当前生效值：50"
    history = Parameter.history.filter(id=p.pk).latest("history_id")
    assert (history.history_change_reason, history.history_user) == ("工单 CR-1024", carrier["admin"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "abc", "reason": "x"}, "value"),
        ({"value": "2", "reason": "x"}, "value"),  # below the minimum 5
        ({"value": "100000", "reason": "x"}, "value"),  # above the maximum 200
        ({"value": "", "reason": "x"}, "value"),
        ({"value": "30", "reason": ""}, "reason"),
        ({"value": "30", "reason": "x" * 101}, "reason"),
    ],
)
def test_parameter_edit_bad_input(admin, rows, data, field):
    p = rows["param"]
    response = admin.post(reverse("parameter-edit", args=[p.pk]), data)
    assert response.status_code == 200
    assert field in field_errors(response)
    p.refresh_from_db()
    assert p.value == 25
    assert not AuditLog.objects.filter(action="parameter.update").exists()


@pytest.fixture
def typed_params(monkeypatch):
    """One parameter of each remaining type, defined for the test and synced into rows."""
    defs = [
        parameters.ParamDef(
            key="test.flag", group="test", type="bool", default=False, name="开关", name_en="Flag"
        ),
        parameters.ParamDef(
            key="test.channel",
            group="test",
            type="choice",
            default="sms",
            name="渠道",
            name_en="Channel",
            choices=["sms", "email"],
        ),
        parameters.ParamDef(
            key="test.map", group="test", type="json", default={"a": 1}, name="映射", name_en="Map"
        ),
        parameters.ParamDef(
            key="test.rate",
            group="test",
            type="decimal",
            default="0.05",
            name="费率",
            name_en="Rate",
            min_value=0,
            max_value=1,
        ),
    ]
    for d in defs:
        monkeypatch.setitem(parameters.REGISTRY, d.key, d)
    parameters.sync_parameters()
    return {d.type: Parameter.objects.get(key=d.key) for d in defs}


def test_edit_form_is_typed(admin, typed_params, rows):
    def html(p):
        return admin.get(reverse("parameter-edit", args=[p.pk])).content.decode()

    assert 'role="switch"' in html(typed_params["bool"])
    assert '<select name="value"' in html(typed_params["choice"])
    assert '<textarea name="value"' in html(typed_params["json"])
    number = html(rows["param"])
    assert 'type="number"' in number and 'min="5"' in number and 'max="200"' in number


def test_bool_switch_on_and_off(admin, typed_params, django_capture_on_commit_callbacks):
    p = typed_params["bool"]
    url = reverse("parameter-edit", args=[p.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, {"value": "on", "reason": "x"}).status_code == 302
    assert param("test.flag") is True
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, {"reason": "x"}).status_code == 302  # an unchecked box sends nothing
    assert param("test.flag") is False


def test_choice_json_decimal_edits(admin, typed_params):
    def post(p, value):
        return admin.post(reverse("parameter-edit", args=[p.pk]), {"value": value, "reason": "x"})

    assert "value" in field_errors(post(typed_params["choice"], "fax"))
    assert post(typed_params["choice"], "email").status_code == 302
    assert "value" in field_errors(post(typed_params["json"], "{not json"))
    assert "value" in field_errors(post(typed_params["json"], "NaN"))
    assert post(typed_params["json"], '{"b": [1, 2]}').status_code == 302
    assert "value" in field_errors(post(typed_params["decimal"], "1.5"))
    assert post(typed_params["decimal"], "0.125").status_code == 302
    values = {t: Parameter.objects.get(pk=p.pk).value for t, p in typed_params.items()}
    assert values == {"bool": False, "choice": "email", "json": {"b": [1, 2]}, "decimal": "0.125"}


def test_history_page_shows_who_when_old_new_reason(admin, carrier, rows):
    p = rows["param"]
    actions.parameter_update(actor=carrier["admin"], parameter=p, value="40", reason="first change")
    actions.parameter_update(actor=carrier["admin"], parameter=p, value="60", reason="second change")
    response = admin.get(reverse("parameter-history", args=[p.pk]))
    html = response.content.decode()
    assert "first change" in html and "second change" in html
    assert re.search(r"<code[^>]*>40</code>\s*<i[^>]*></i>\s*<code[^>]*>60</code>", html)
    assert re.search(r"<code[^>]*>25</code>\s*<i[^>]*></i>\s*<code[^>]*>40</code>", html)
    assert carrier["admin"].full_name in html


def test_parameter_list_query_count_does_not_grow(admin, rows, monkeypatch):
    admin.get(reverse("parameter-list"))  # warm up session and caches
    with count_queries() as before:
        admin.get(reverse("parameter-list"))
    for i in range(15):
        d = parameters.ParamDef(
            key=f"test.p{i}", group=f"g{i % 3}", type="int", default=i, name=f"参数{i}", name_en=f"P{i}"
        )
        monkeypatch.setitem(parameters.REGISTRY, d.key, d)
    parameters.sync_parameters()
    Parameter.objects.filter(key__startswith="test.").update(updated_by=rows["param"].updated_by)
    with count_queries() as after:
        admin.get(reverse("parameter-list"))
    assert len(after) <= len(before) + 1  # at most the re-read of the invalidated parameter cache


# --- dictionaries ---------------------------------------------------------------------------
def test_dict_list_shows_item_counts(admin, rows):
    html = admin.get(reverse("dict-list")).content.decode()
    row = re.search(r'data-code="gender".*?data-testid="item-count">(\d+)', html, re.S)
    assert row and row.group(1) == "3"


def test_dict_create(admin):
    response = admin.post(
        reverse("dict-create"), {"code": "complaint_cat", "name": "投诉类别", "name_en": "Complaint category"}
    )
    d = DictType.objects.get(code="complaint_cat")
    assert response.status_code == 302 and response["Location"] == reverse("dict-detail", args=[d.pk])
    assert AuditLog.objects.filter(action="dict_type.create", object_id=str(d.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "gender", "name": "重复"}, "code"),  # exists
        ({"code": "bad code!", "name": "X"}, "code"),  # not a slug
        ({"code": "", "name": "X"}, "code"),
        ({"code": "ok_code", "name": ""}, "name"),
    ],
)
def test_dict_create_bad_input(admin, data, field):
    count = DictType.objects.count()
    response = admin.post(reverse("dict-create"), data)
    assert response.status_code == 200
    assert field in field_errors(response)
    assert DictType.objects.count() == count


def test_dict_item_add_with_htmx(admin, rows):
    d = rows["dict"]
    response = admin.post(
        reverse("dict-item-create", args=[d.pk]),
        {"code": "x", "label": "其他", "label_en": "Other", "sort_order": "40", "is_active": "on"},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="item-editor"' in html and 'data-testid="saved"' in html
    assert 'id="dict-items" hx-swap-oob="true"' in html and 'data-code="x"' in html  # the table refreshes
    item = d.items.get(code="x")
    assert (item.label, item.label_en, item.sort_order, item.is_active) == ("其他", "Other", 40, True)


def test_dict_item_duplicate_code_is_a_code_error(admin, rows):
    d = rows["dict"]
    count = d.items.count()
    response = admin.post(
        reverse("dict-item-create", args=[d.pk]), {"code": "m", "label": "又一个", "sort_order": "0"}, **HX
    )
    assert response.status_code == 200
    assert field_errors(response) == {"code"}
    assert d.items.count() == count


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "", "label": "X", "sort_order": "0"}, "code"),
        ({"code": "y", "label": "", "sort_order": "0"}, "label"),
        ({"code": "y", "label": "X", "sort_order": "abc"}, "sort_order"),
        ({"code": "y", "label": "X", "sort_order": "0", "parent": "nope"}, "parent"),
        ({"code": "y" * 51, "label": "X", "sort_order": "0"}, "code"),
    ],
)
def test_dict_item_bad_input(admin, rows, data, field):
    d = rows["dict"]
    count = d.items.count()
    for extra in ({}, HX):  # full page and HTMX partial alike
        response = admin.post(reverse("dict-item-create", args=[d.pk]), data, **extra)
        assert response.status_code == 200
        assert field in field_errors(response)
    assert d.items.count() == count


def test_dict_item_edit_flow(admin, rows):
    d, item = rows["dict"], rows["item"]
    url = reverse("dict-item-edit", args=[d.pk, item.pk])
    form = admin.get(url, **HX).content.decode()
    assert re.search(r'<input[^>]*name="code"[^>]*disabled', form)  # the code is shown, not editable
    response = admin.post(
        url,
        {
            "code": "changed",
            "label": "男性",
            "label_en": "Male",
            "sort_order": "5",
            "parent": "",
            "is_active": "",
        },
        **HX,
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.code, item.label, item.sort_order, item.is_active) == ("m", "男性", 5, False)
    log = AuditLog.objects.get(action="dict_item.update", object_id=str(item.pk))
    assert log.before == {"label": "男", "sort_order": 0, "is_active": True}


def test_dict_item_edit_without_htmx_redirects_back_to_the_list_page(admin, rows):
    d, item = rows["dict"], rows["item"]
    response = admin.post(
        reverse("dict-item-edit", args=[d.pk, item.pk]) + "?q=m",
        {"label": "男", "label_en": "Male", "sort_order": "1", "is_active": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dict-detail", args=[d.pk]) + "?q=m"


def test_dict_item_parent_and_cycles(admin, rows):
    d = rows["dict"]
    url_create = reverse("dict-item-create", args=[d.pk])
    admin.post(
        url_create, {"code": "child", "label": "子", "sort_order": "0", "parent": "m", "is_active": "on"}
    )
    child = d.items.get(code="child")
    assert child.parent.code == "m"
    # m under its own child: refused on the parent field, nothing changes.
    response = admin.post(
        reverse("dict-item-edit", args=[d.pk, rows["item"].pk]),
        {"label": "男", "sort_order": "0", "parent": "child", "is_active": "on"},
    )
    assert field_errors(response) == {"parent"}
    rows["item"].refresh_from_db()
    assert rows["item"].parent is None


def test_dict_item_code_change_is_refused_by_the_action(carrier, rows):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        actions.dict_item_save(
            actor=carrier["admin"], dict_type=rows["dict"], item=rows["item"], code="mm", label="男"
        )
    assert info.value.error_dict["code"][0].code == "read_only"


def test_dictionary_cache_sees_an_edit_after_commit(admin, rows, django_capture_on_commit_callbacks):
    from telcrm.platform.queries import dictionary_label

    assert dictionary_label("gender", "m") == "男"
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("dict-item-edit", args=[rows["dict"].pk, rows["item"].pk]),
            {"label": "男性", "sort_order": "0", "is_active": "on"},
        )
    assert dictionary_label("gender", "m") == "男性"


# --- calendars ------------------------------------------------------------------------------
WEEK = {
    "name": "办公时间",
    "name_en": "Office hours",
    "observe_holidays": "on",
    "mon": "09:00-12:00, 13:30-18:00",
    "tue": "09:00-12:00，13:30-18:00",
    "wed": "9:00 - 12:00; 13:30-18:00",
    "thu": "13:30-18:00, 09:00-12:00",
    "fri": "09:00-12:00, 13:30-17:00",
    "sat": "",
    "sun": "",
}


def test_calendar_edit_saves_the_weekly_json(admin, rows):
    cal = rows["calendar"]
    response = admin.post(reverse("calendar-edit", args=[cal.pk]), WEEK)
    assert response.status_code == 302
    cal.refresh_from_db()
    office = [["09:00", "12:00"], ["13:30", "18:00"]]
    assert cal.weekly_hours == {
        "1": office,
        "2": office,
        "3": office,
        "4": office,
        "5": [["09:00", "12:00"], ["13:30", "17:00"]],
    }
    assert cal.observe_holidays is True
    assert AuditLog.objects.filter(action="work_calendar.update").exists()


def test_calendar_edit_round_the_clock_and_holiday_toggle(admin, rows):
    cal = rows["calendar"]
    data = {
        "name": "全天",
        "name_en": "",
        **{d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    }
    assert admin.post(reverse("calendar-edit", args=[cal.pk]), data).status_code == 302
    cal.refresh_from_db()
    assert cal.weekly_hours["7"] == [["00:00", "24:00"]]
    assert cal.observe_holidays is False  # the switch was off
    # The edit form shows what was saved.
    html = admin.get(reverse("calendar-edit", args=[cal.pk])).content.decode()
    assert 'value="00:00-24:00"' in html


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ("tue", "9-12"),
        ("wed", "09:00-25:00"),
        ("thu", "18:00-09:00"),
        ("fri", "09:00-12:00, 11:00-13:00"),
        ("sat", "24:00-24:00"),
        ("sun", "09:60-10:00"),
        ("mon", "morning"),
    ],
)
def test_calendar_edit_bad_text_names_the_weekday(admin, rows, day, text):
    cal = rows["calendar"]
    before = cal.weekly_hours
    response = admin.post(reverse("calendar-edit", args=[cal.pk]), {**WEEK, day: text})
    assert response.status_code == 200
    assert field_errors(response) == {day}
    cal.refresh_from_db()
    assert cal.weekly_hours == before
    assert not AuditLog.objects.filter(action="work_calendar.update").exists()


def test_calendar_list_shows_weekly_hours(admin, rows):
    html = admin.get(reverse("calendar-list")).content.decode()
    office = re.search(r'data-calendar="office".*?card-footer[^>]*>([^<]*)', html, re.S)
    assert office, html
    office = office.group(0)
    assert "09:00–12:00" in office and "13:30–18:00" in office
    assert "37.5" in office  # working hours a week


# --- holidays -------------------------------------------------------------------------------
def test_holiday_add_with_htmx(admin, rows):
    response = admin.post(
        reverse("holiday-create"), {"date": "2025-10-11", "name": "国庆调休", "kind": "workday"}, **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="holiday-section"' in html and 'data-date="2025-10-11"' in html and "<html" not in html
    h = Holiday.objects.get(date=date(2025, 10, 11))
    assert (h.name, h.kind) == ("国庆调休", HolidayKind.WORKDAY)
    assert AuditLog.objects.filter(action="holiday.save", object_id=str(h.pk)).exists()


def test_holiday_add_without_htmx_and_replace(admin, rows):
    response = admin.post(
        reverse("holiday-create"), {"date": "2025-10-01", "name": "国庆节（改）", "kind": "holiday"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar-list") + "?year=2025#holidays"
    assert Holiday.objects.filter(date=date(2025, 10, 1)).count() == 1
    assert Holiday.objects.get(date=date(2025, 10, 1)).name == "国庆节（改）"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "2025-02-30", "name": "X", "kind": "holiday"}, "date"),
        ({"date": "", "name": "X", "kind": "holiday"}, "date"),
        ({"date": "2025-05-01", "name": "", "kind": "holiday"}, "name"),
        ({"date": "2025-05-01", "name": "X", "kind": "party"}, "kind"),
    ],
)
def test_holiday_bad_input(admin, rows, data, field):
    for extra in ({}, HX):
        response = admin.post(reverse("holiday-create"), data, **extra)
        assert response.status_code == 200
        assert field in field_errors(response)
    assert Holiday.objects.count() == 1


def test_holiday_delete(admin, rows):
    h = rows["holiday"]
    url = reverse("holiday-delete", args=[h.pk])
    assert admin.get(url).status_code == 405
    response = admin.post(url, **HX)
    assert response.status_code == 200 and 'data-date="2025-10-01"' not in response.content.decode()
    assert not Holiday.objects.filter(pk=h.pk).exists()
    assert AuditLog.objects.filter(action="holiday.delete", object_id=str(h.pk)).exists()
    again = Holiday.objects.create(date=date(2025, 10, 2), name="国庆节")
    response = admin.post(reverse("holiday-delete", args=[again.pk]))
    assert response.status_code == 302 and not Holiday.objects.filter(pk=again.pk).exists()


def test_holiday_list_is_per_year(admin, rows):
    Holiday.objects.create(date=date(2026, 1, 1), name="元旦")
    html = admin.get(reverse("calendar-list") + "?year=2026", **HX).content.decode()
    assert 'data-date="2026-01-01"' in html and 'data-date="2025-10-01"' not in html


# --- deadline calculator --------------------------------------------------------------------
def test_deadline_calculator(admin, rows):
    cal = rows["calendar"]  # office hours; the holiday table has 1 Oct 2025 only
    url = reverse("deadline-calculator") + f"?calendar={cal.pk}&start=2025-09-30T17:00&minutes=120"
    html = admin.get(url, **HX).content.decode()
    assert "<html" not in html
    # 1 h on Tuesday 30 Sep, Wednesday 1 Oct is a holiday, the second hour on Thursday 2 Oct.
    assert 'data-testid="deadline">2025-10-02 10:00' in html
    start_outside = admin.get(
        reverse("deadline-calculator") + f"?calendar={cal.pk}&start=2025-01-11T10:00&minutes=30", **HX
    ).content.decode()
    assert 'data-testid="deadline">2025-01-13 09:30' in start_outside
    assert "2025-01-13 09:00" in start_outside  # the clock starts on Monday morning
    # Without HTMX the same URL is a full page with the form and the result.
    page = admin.get(url).content.decode()
    assert "<html" in page and 'data-testid="deadline">2025-10-02 10:00' in page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2025-01-06T09:00&minutes=-5", "minutes"),
        ("start=2025-01-06T09:00&minutes=abc", "minutes"),
        ("start=2025-01-06T09:00&minutes=99999999", "minutes"),
        ("start=yesterday&minutes=60", "start"),
        ("start=&minutes=60", "start"),
    ],
)
def test_deadline_calculator_bad_input(admin, rows, query, field):
    response = admin.get(reverse("deadline-calculator") + f"?calendar={rows['calendar'].pk}&{query}", **HX)
    assert response.status_code == 200
    assert field in field_errors(response)


def test_deadline_calculator_with_a_calendar_without_hours(admin, rows, carrier):
    empty = WorkCalendar.objects.create(code="never", name="从不", weekly_hours={})
    response = admin.get(
        reverse("deadline-calculator") + f"?calendar={empty.pk}&start=2025-01-06T09:00&minutes=1", **HX
    )
    assert field_errors(response) == {"calendar"}
    response = admin.get(
        reverse("deadline-calculator") + "?calendar=99999&start=2025-01-06T09:00&minutes=1", **HX
    )
    assert field_errors(response) == {"calendar"}


def test_dictionary_pages_query_count_does_not_grow(admin, carrier, rows):
    d = rows["dict"]
    url = reverse("dict-detail", args=[d.pk])
    admin.get(url)
    with count_queries() as before:
        admin.get(url)
        admin.get(reverse("dict-list"))
    for i in range(12):
        actions.dict_item_save(
            actor=carrier["admin"], dict_type=d, code=f"c{i}", label=f"子项{i}", parent=rows["item"]
        )
    DictType.objects.bulk_create([DictType(code=f"t{i}", name=f"码表{i}") for i in range(12)])
    with count_queries() as after:
        admin.get(url)
        admin.get(reverse("dict-list"))
    assert len(after) == len(before)
