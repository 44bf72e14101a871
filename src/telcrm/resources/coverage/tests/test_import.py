"""Import of coverage data: upload checks, valid rows land, invalid rows are reported with the column
named (and nothing of them written), the error report, .xlsx and GBK CSV, re-import, permission."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from telcrm.platform.models import AuditLog, Job, JobStatus
from telcrm.resources.coverage import imports
from telcrm.resources.coverage.models import CoveredAddress
from telcrm.resources.coverage.queries import installability

from ._fixtures import element

pytestmark = pytest.mark.django_db

HEADER = ["网元编码", "省", "市", "区县", "街道门牌", "小区楼宇", "接入方式", "最大带宽(Mbps)"]
GOOD = [
    ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路88号", "阳光花园", "光纤", "1000"],
    ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路90号", "", "", ""],
    ["hz-xh-dsl01", "浙江", "杭州", "西湖", "文三路 ９２ 号", "", "VDSL", "50M"],
]
BAD = [
    ["NO-SUCH", "浙江省", "杭州市", "西湖区", "文三路94号", "", "", ""],  # unknown element
    ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路96号", "", "卫星", ""],  # bad technology
    ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路98号", "", "", "很快"],  # bad number
    ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路100号", "", "", "5000"],  # above the element's
    ["HZ-XH-OLT01", "浙江省", "", "西湖区", "文三路102号", "", "", ""],  # no city
    ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路", "", "", ""],  # no house number
    ["HZ-XH-DSL01", "浙江省", "杭州市", "西湖区", "文三路104号", "", "光纤", ""],  # copper element, fibre
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def network(carrier):
    return {
        "olt": element(carrier, code="HZ-XH-OLT01", ports_total=100, max_bandwidth_mbps=1000),
        "dslam": element(carrier, code="HZ-XH-DSL01", kind="dslam", ports_total=50, max_bandwidth_mbps=100),
    }


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run_upload(client, name: str, content: bytes, capture) -> Job:
    with capture(execute=True):
        response = client.post(reverse("coverage-import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.filter(kind=imports.JOB_KIND).latest("created_at")
    assert response["Location"] == reverse("coverage-import-detail", args=[job.pk])
    job.refresh_from_db()
    return job


def report(media: Path, job: Job) -> list[tuple]:
    assert job.result_file.startswith("exports/")
    wb = load_workbook(media / job.result_file, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def test_valid_rows_land_and_invalid_rows_are_reported_by_column(
    carrier, network, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(carrier["admin"])
    job = run_upload(client, "覆盖.csv", csv_bytes([HEADER, *GOOD, *BAD]), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"rows": 10, "created": 3, "updated": 0, "failed": 7}
    assert CoveredAddress.objects.count() == 3  # nothing of a bad row is written
    dsl = CoveredAddress.objects.get(element=network["dslam"])
    assert (dsl.technology, dsl.max_bandwidth_mbps, dsl.street_key) == ("copper", 50, "文三路92")
    assert installability({"city": "杭州", "street": "文三路88号阳光花园3幢"}).ok

    rows = report(media, job)
    assert rows[0] == ("行号", *HEADER, "列", "错误原因")
    errors = {r[0]: (r[-2], r[-1]) for r in rows[1:]}
    assert set(errors) == {5, 6, 7, 8, 9, 10, 11}  # spreadsheet row numbers (the header is row 1)
    assert errors[5][0] == "网元编码" and "NO-SUCH" in errors[5][1]
    assert errors[6][0] == "接入方式" and "卫星" in errors[6][1]
    assert errors[7][0] == "最大带宽(Mbps)" and "很快" in errors[7][1]
    assert errors[8][0] == "最大带宽(Mbps)" and "1000" in errors[8][1]
    assert errors[9][0] == "市"
    assert errors[10][0] == "街道门牌"
    assert errors[11][0] == "接入方式"

    page = client.get(reverse("coverage-import-detail", args=[job.pk])).content.decode()
    assert 'data-testid="error-report"' in page and reverse("job-download", args=[job.pk]) in page
    download = client.get(reverse("job-download", args=[job.pk]))
    assert download.status_code == 200
    assert not list((media / "imports").glob("*"))  # the upload and scratch file are gone


def test_importing_the_same_file_again_updates_instead_of_duplicating(
    carrier, network, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(carrier["admin"])
    run_upload(client, "a.xlsx", xlsx_bytes([HEADER, *GOOD]), django_capture_on_commit_callbacks)
    changed = [*GOOD[:2], [*GOOD[2][:7], "100"]]
    job = run_upload(client, "a.xlsx", xlsx_bytes([HEADER, *changed]), django_capture_on_commit_callbacks)
    assert job.result == {"rows": 3, "created": 0, "updated": 3, "failed": 0}
    assert not job.result_file  # no errors, no report
    assert CoveredAddress.objects.count() == 3
    assert CoveredAddress.objects.get(element=network["dslam"]).max_bandwidth_mbps == 100
    assert AuditLog.objects.filter(action="coverage.address_update").count() == 1  # unchanged rows: no audit


def test_english_headers_and_a_gbk_csv(
    carrier, network, client_for, media, django_capture_on_commit_callbacks
):
    header = ["Element code", "Province", "City", "District", "Street and number", "Building / community"]
    rows = [header, ["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路88号", "阳光花园"]]
    job = run_upload(
        client_for(carrier["admin"]),
        "gbk.csv",
        csv_bytes(rows, "gb18030"),
        django_capture_on_commit_callbacks,
    )
    assert job.result["created"] == 1 and CoveredAddress.objects.get().building == "阳光花园"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.csv", b"", "文件为空"),
        ("a.pdf", b"%PDF-1.4", ".pdf"),
        ("a.csv", "省,市\n浙江省,杭州市\n".encode(), "网元编码"),  # required columns missing
        ("a.csv", "网元编码,省,市,街道门牌\n".encode(), "没有数据行"),
        ("a.xlsx", b"not a zip", "Excel"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "97-2003"),  # old Excel: say so
        ("a.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "97-2003"),  # … whatever its name
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_on_the_form(
    carrier, network, client_for, media, name, content, message
):
    response = client_for(carrier["admin"]).post(
        reverse("coverage-import"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_only_coverage_managers_import(carrier, client_for):
    for role in ("clerk", "branch_manager", "analyst"):
        client = client_for(carrier[role])
        assert client.get(reverse("coverage-import")).status_code == 403
        assert client.get(reverse("coverage-import-template")).status_code == 403
    admin = client_for(carrier["admin"])
    page = admin.get(reverse("coverage-import"))
    assert page.status_code == 200 and 'data-testid="import-columns"' in page.content.decode()
    template = admin.get(reverse("coverage-import-template"))
    assert template.status_code == 200 and template.content.decode("utf-8-sig").startswith("网元编码,省,市")


def test_the_job_refuses_an_owner_who_lost_the_permission(carrier, network, media):
    from telcrm.platform.jobs import execute

    job = Job.objects.create(
        kind=imports.JOB_KIND,
        title="x",
        owner=carrier["clerk"],
        org_unit=carrier.branch,
        params={"file": "x"},
    )
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "AccessDenied" in job.error


def test_cell_parsers():
    assert imports.parse_technology("FTTH") == imports.parse_technology(" 光纤 ") == "fibre"
    assert imports.parse_technology("ADSL") == imports.parse_technology("铜缆") == "copper"
    assert imports.parse_technology("5G") == imports.parse_technology("5G FWA") == "fwa_5g"
    assert imports.parse_technology("卫星") is None
    assert (
        imports.parse_bandwidth("1000")
        == imports.parse_bandwidth("1000M")
        == imports.parse_bandwidth("1G")
        == 1000
    )
    assert imports.parse_bandwidth("500 兆") == 500 and imports.parse_bandwidth("1.5G") is None


def test_rows_of_one_batch_naming_the_same_address_update_each_other(
    carrier, network, client_for, media, django_capture_on_commit_callbacks
):
    rows = [
        HEADER,
        GOOD[1],
        [*GOOD[1][:7], "500"],
        ["HZ-XH-OLT01", "浙江", "杭州", "西湖", "文三路 90", "", "", "300"],
    ]
    job = run_upload(
        client_for(carrier["admin"]), "dup.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert job.result == {"rows": 3, "created": 1, "updated": 2, "failed": 0}
    assert CoveredAddress.objects.get().max_bandwidth_mbps == 300  # the last row wins


def test_a_batch_the_database_refuses_is_saved_row_by_row(
    carrier, network, client_for, media, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import DatabaseError

    from telcrm.resources.coverage.actions import addresses

    batch_save = addresses.covered_addresses_save_many

    def refuse_batches(*, actor, rows):
        if len(rows) > 1:
            raise DatabaseError("simulated")
        if rows[0]["street"] == "文三路90号":
            raise DatabaseError("value refused")
        return batch_save(actor=actor, rows=rows)

    monkeypatch.setattr(addresses, "covered_addresses_save_many", refuse_batches)
    job = run_upload(
        client_for(carrier["admin"]),
        "x.csv",
        csv_bytes([HEADER, *GOOD, BAD[0]]),
        django_capture_on_commit_callbacks,
    )
    assert job.result == {"rows": 4, "created": 2, "updated": 0, "failed": 2}
    errors = {r[0]: r[-1] for r in report(media, job)[1:]}
    assert "value refused" in errors[3] and "NO-SUCH" in errors[5]


def test_long_addresses_fit_their_columns(carrier, network):
    from telcrm.resources.coverage.actions import covered_address_save

    row, created = covered_address_save(
        actor=carrier["admin"],
        element="HZ-XH-OLT01",
        province="新疆维吾尔自治区" * 5,
        city="伊犁哈萨克自治州" * 5,
        district="察布查尔锡伯自治县" * 4,
        street="文三路88号" + "很长的小区名字" * 27,
        building="楼" * 100,
    )
    row.refresh_from_db()
    assert created and len(row.search_key) > 400 and len(row.building_key) > 280
