"""Receiving a delivery from a file: the upload checks, the background job (progress, valid rows land,
invalid rows reported row by row in a downloadable .xlsx), headers in both languages or none, GBK,
numbers already in stock or twice in the file, permissions; and ``stock_receive`` for a list."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog, Job, JobStatus
from telcrm.resources.stock import actions, imports
from telcrm.resources.stock.models import BatchStatus, Movement, SimCard, StockBatch, Terminal
from telcrm.resources.stock.states import ItemState, Move
from telcrm.resources.stock.testing import iccid_for, imei_for, imsi_for, make_sims

pytestmark = pytest.mark.django_db


def bad_check(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def csv_bytes(rows, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def receive(client, name, content, *, item_type="sim", unit=None, **extra):
    data = {"item_type": item_type, "sim_kind": "nano", "supplier": "东信和平", "delivery_note": "SH-0001"}
    data.update(extra)
    if unit is not None:
        data["org_unit"] = unit.pk
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(reverse("stock-batch-receive"), data)


def run(client_for, user, name, content, capture, **kw):
    client = client_for(user)
    with capture(execute=True):
        response = receive(client, name, content, unit=user.org_unit, **kw)
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = StockBatch.objects.latest("id")
    assert response["Location"] == reverse("stock-batch-detail", args=[batch.pk])
    batch.refresh_from_db()
    return batch


def report(media: Path, job: Job) -> list[tuple]:
    assert job.result_file.startswith("exports/")
    wb = load_workbook(media / job.result_file, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def test_good_rows_land_and_bad_rows_are_reported(
    carrier, client_for, media, django_capture_on_commit_callbacks
):
    mgr = carrier["branch_manager"]
    taken = make_sims(carrier.other_branch)[0]
    rows = [
        ["ICCID", "IMSI", "卡类型"],
        [iccid_for(1), imsi_for(1), "三切卡"],
        [iccid_for(2), imsi_for(2), ""],  # no type: the form's default (nano)
        [bad_check(iccid_for(3)), imsi_for(3), "三切卡"],  # wrong check digit
        [iccid_for(4), "310150123456789", "三切卡"],  # not a Chinese IMSI
        [taken.iccid, imsi_for(5), ""],  # already in stock (at another branch)
        [iccid_for(1), imsi_for(6), ""],  # twice in the file
        [iccid_for(7), imsi_for(7), "超大卡"],  # unknown type
        ["", "", ""],  # blank rows are skipped
        [iccid_for(8), imsi_for(8), "eSIM"],
    ]
    batch = run(client_for, mgr, "SIM入库.csv", csv_bytes(rows), django_capture_on_commit_callbacks)
    job = batch.job
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["received"] == 3 and job.result["rejected"] == 5
    assert (batch.status, batch.rows, batch.received_count, batch.rejected_count) == (
        BatchStatus.RECEIVED,
        8,
        3,
        5,
    )
    assert batch.supplier == "东信和平" and batch.delivery_note == "SH-0001"
    got = {s.iccid: s for s in SimCard.objects.filter(batch=batch)}
    assert set(got) == {iccid_for(1), iccid_for(2), iccid_for(8)}
    assert {(s.kind, s.state, s.org_unit_id) for s in got.values()} >= {
        ("triple", ItemState.IN_STOCK, mgr.org_unit_id)
    }
    assert got[iccid_for(2)].kind == "nano" and got[iccid_for(8)].kind == "esim"
    assert Movement.objects.filter(batch=batch, move=Move.RECEIVE).count() == 3
    lines = report(media, job)
    assert lines[0] == ("行号", "ICCID", "IMSI", "卡类型", "列", "错误")
    by_row = {r[0]: r for r in lines[1:]}
    assert set(by_row) == {4, 5, 6, 7, 8}
    assert by_row[4][4] == "ICCID" and "校验位" in by_row[4][5]
    assert by_row[5][4] == "IMSI" and "460" in by_row[5][5]
    assert "已在库存中" in by_row[6][5]
    assert "第 2 行" in by_row[7][5]
    assert by_row[8][4] == "卡类型"
    assert AuditLog.objects.filter(action="stock.batch_receive", object_id=str(batch.pk)).exists()
    assert not list((media / "imports").glob("*"))  # the upload and the scratch file are gone


def test_terminal_workbook_in_english_with_prices(
    carrier, client_for, media, django_capture_on_commit_callbacks
):
    rows = [
        ["IMEI", "Brand", "Model", "Price (yuan)", "Colour"],
        [imei_for(1), "Apple", "iPhone 15", "5999.00", "黑色"],
        [imei_for(2), "华为", "Mate 60", 6999, ""],
        [bad_check(imei_for(3)), "华为", "Mate 60", "6999", ""],
        [imei_for(4), "", "Mate 60", "6999.123", ""],
    ]
    batch = run(client_for, carrier["branch_manager"], "phones.xlsx", xlsx_bytes(rows),
                django_capture_on_commit_callbacks, item_type="terminal")  # fmt: skip
    assert (batch.received_count, batch.rejected_count) == (2, 2)
    prices = dict(Terminal.objects.filter(batch=batch).values_list("imei", "price_fen"))
    assert prices == {imei_for(1): 599900, imei_for(2): 699900}
    bad = {r[0]: r for r in report(media, batch.job)[1:]}
    assert bad[4][6] == "IMEI"
    assert {r[6] for r in report(media, batch.job)[1:] if r[0] == 5} == {
        "Brand",
        "Price (yuan)",
    }  # the file's own headers


def test_a_list_without_header_in_gbk_is_read_by_position(
    carrier, client_for, media, django_capture_on_commit_callbacks
):
    rows = [[iccid_for(11), imsi_for(11), "Nano卡"], [iccid_for(12), imsi_for(12), "标准卡"]]
    batch = run(client_for, carrier["branch_manager"], "list.csv", csv_bytes(rows, "gbk"),
                django_capture_on_commit_callbacks)  # fmt: skip
    assert batch.received_count == 2 and batch.rejected_count == 0
    assert dict(SimCard.objects.values_list("iccid", "kind")) == {
        iccid_for(11): "nano",
        iccid_for(12): "normal",
    }
    assert not batch.job.result_file  # nothing rejected, no report


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.xls", b"\xd0\xcf\x11\xe0rest", "97-2003"),
        ("list.pdf", b"%PDF-1.4", "只能导入"),
        ("list.csv", b"", "为空"),
        ("list.csv", "姓名,电话\n张三,1\n".encode(), "缺少必填列"),
        ("list.csv", b"ICCID,IMSI\n", "没有数据行"),
        ("list.xlsx", b"PK\x03\x04broken", "不是有效的"),
    ],
)
def test_files_that_cannot_be_read_are_refused_at_upload(carrier, client_for, media, name, content, message):
    response = receive(client_for(carrier["branch_manager"]), name, content, unit=carrier.branch)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-field="file"' in response.content.decode()
    assert not StockBatch.objects.exists() and not Job.objects.exists()


def test_too_large_a_file_is_refused(carrier, client_for, media, set_param):
    set_param("stock.import_max_mb", 1)
    content = csv_bytes([["ICCID", "IMSI"]] + [[iccid_for(i), imsi_for(i)] for i in range(1, 40_000)])
    response = receive(client_for(carrier["branch_manager"]), "big.csv", content, unit=carrier.branch)
    assert response.status_code == 400 and "1 MB" in response.content.decode()


def test_receiving_into_a_unit_outside_the_scope_is_refused(carrier, client_for, media):
    content = csv_bytes([["ICCID", "IMSI"], [iccid_for(1), imsi_for(1)]])
    response = receive(client_for(carrier["branch_manager"]), "a.csv", content, unit=carrier.other_branch)
    assert response.status_code == 400 and 'data-field="org_unit"' in response.content.decode()
    assert client_for(carrier["clerk"]).get(reverse("stock-batch-receive")).status_code == 403


def test_the_job_refuses_an_owner_who_lost_the_permission(carrier, media):
    from telcrm.platform.jobs import execute

    job = Job.objects.create(
        kind=imports.JOB_KIND, title="x", owner=carrier["clerk"], org_unit=carrier.branch, params={"batch": 0}
    )
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "AccessDenied" in job.error


def test_a_retried_job_continues_after_the_last_committed_chunk(
    carrier, client_for, media, django_capture_on_commit_callbacks, monkeypatch
):
    from telcrm.platform.jobs import execute

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = [["ICCID", "IMSI"]] + [[iccid_for(i), imsi_for(i)] for i in range(1, 8)]
    real = actions.batch_receive_rows
    calls = []

    def flaky(**kw):
        calls.append(len(kw["rows"]))
        if len(calls) == 3:
            raise ConnectionError("worker lost")
        return real(**kw)

    monkeypatch.setattr(actions, "batch_receive_rows", flaky)
    batch = run(
        client_for, carrier["branch_manager"], "a.csv", csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert batch.job.status == JobStatus.FAILED and batch.status == BatchStatus.FAILED
    assert SimCard.objects.count() == 4  # two chunks committed
    from telcrm.platform.actions import job_retry

    monkeypatch.setattr(actions, "batch_receive_rows", real)
    job_retry(actor=carrier["branch_manager"], job=batch.job)
    execute(batch.job.pk)
    batch.refresh_from_db()
    assert batch.job.status == JobStatus.SUCCEEDED and batch.status == BatchStatus.RECEIVED
    assert (batch.received_count, batch.rejected_count) == (7, 0)  # nothing twice, nothing reported twice
    assert SimCard.objects.count() == 7


def test_template_download(carrier, client_for):
    response = client_for(carrier["branch_manager"]).get(reverse("stock-batch-template", args=["terminal"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.active[1]] == ["IMEI", "品牌", "型号", "价格（元）", "颜色"]


def test_receive_a_list_at_once(carrier):
    mgr = carrier["branch_manager"]
    batch, rejected = actions.stock_receive(
        actor=mgr,
        org_unit=carrier.branch,
        item_type="sim",
        rows=[
            {"iccid": iccid_for(21), "imsi": imsi_for(21)},
            {"iccid": bad_check(iccid_for(22)), "imsi": imsi_for(22)},
        ],
    )
    assert batch.received_count == 1 and [r for r, _e in rejected] == [2]
    assert rejected[0][1][0][0] == "iccid"
    with pytest.raises(ValidationError) as info:
        actions.stock_receive(
            actor=mgr,
            org_unit=carrier.branch,
            item_type="sim",
            rows=[{"iccid": iccid_for(21), "imsi": imsi_for(23)}],
        )
    assert "iccid" in info.value.error_dict  # nothing could be received: the first problem, by field
    with pytest.raises(AccessDenied):
        actions.stock_receive(actor=carrier["clerk"], org_unit=carrier.branch, item_type="sim", rows=[{}])
    with pytest.raises(ValidationError) as info:
        actions.stock_receive(actor=mgr, org_unit=carrier.team, item_type="sim", rows=[{}])
    assert info.value.error_dict["org_unit"][0].code in ("out_of_scope", "not_stock_unit")
