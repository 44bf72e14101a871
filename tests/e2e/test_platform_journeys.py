"""Administrators' and managers' journeys in a real browser: export with progress, PII reveal,
parameter change taking effect, and the live progress bar of a running job."""

import io

import pytest
from openpyxl import load_workbook

from telcrm.platform.models import AuditLog, Job, JobStatus, Parameter, User
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_branch_manager_exports_only_his_staff(page, carrier):
    sign_in(page, "branch_manager", PASSWORD)
    page.goto(f"{page.base_url}/users/")
    page.click("[data-testid=export-form] button[type=submit]")
    page.wait_for_selector("[data-testid=job-progress][data-status=succeeded]")
    with page.expect_download() as info:
        page.click("[data-testid=job-download]")
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    usernames = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    expected = set(User.objects.restrict(carrier["branch_manager"]).values_list("username", flat=True))
    assert usernames == expected and "other_clerk" not in usernames
    assert AuditLog.objects.filter(kind="export", actor=carrier["branch_manager"]).exists()


def test_reveal_of_an_id_number_is_shown_and_audited(page, carrier):
    staff = carrier["clerk"]
    staff.id_number = "330106198805051234"
    staff.save()
    sign_in(page, "branch_manager", PASSWORD)
    page.goto(f"{page.base_url}/users/{staff.pk}/")
    assert page.inner_text("[data-testid=id-number-masked]") == "330***********1234"
    page.click("[data-testid=reveal-id-number]")
    page.wait_for_selector("[data-testid=id-number-plain]")
    assert page.inner_text("[data-testid=id-number-plain]") == "330106198805051234"
    log = AuditLog.objects.get(kind="reveal")
    assert log.actor == carrier["branch_manager"] and log.object_id == str(staff.pk)


def test_parameter_change_takes_effect_at_once(page, carrier):
    sign_in(page, "admin", PASSWORD)
    p = Parameter.objects.get(key="ui.page_size")
    page.goto(f"{page.base_url}/parameters/{p.pk}/edit/")
    page.fill("[data-testid=parameter-form] input[name=value]", "5")
    page.fill("[data-testid=parameter-form] input[name=reason]", "工单 2026-118")
    page.click("[data-testid=parameter-form] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    page.goto(f"{page.base_url}/users/")
    assert page.locator("[data-testid=user-row]").count() == 5


def test_bad_parameter_value_is_named_and_nothing_changes(page, carrier):
    sign_in(page, "admin", PASSWORD)
    p = Parameter.objects.get(key="ui.page_size")
    page.goto(f"{page.base_url}/parameters/{p.pk}/edit/")
    page.fill("[data-testid=parameter-form] input[name=value]", "100000")
    page.fill("[data-testid=parameter-form] input[name=reason]", "测试")
    page.click("[data-testid=parameter-form] button[type=submit]")
    page.wait_for_selector(".invalid-feedback[data-field=value]")
    p.refresh_from_db()
    assert p.value == 25


def test_progress_bar_follows_a_running_job_live(page, carrier):
    admin = carrier["admin"]
    job = Job.objects.create(
        kind="platform.export",
        title="进度演示",
        owner=admin,
        org_unit=admin.org_unit,
        status=JobStatus.RUNNING,
        progress_done=3,
        progress_total=10,
    )
    sign_in(page, "admin", PASSWORD)
    page.goto(f"{page.base_url}/jobs/{job.pk}/")
    assert page.get_attribute("[data-testid=job-progress]", "data-status") == "running"
    Job.objects.filter(pk=job.pk).update(progress_done=7)
    page.wait_for_function("document.querySelector('[data-testid=progress-count]').innerText.includes('7')")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress_done=10)
    page.wait_for_selector("[data-testid=job-progress][data-status=succeeded]")
