"""Customer import (CUS-7): upload checks, the job, row-level error report, encodings, scope, resume."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric, uscc

from telcrm.customers import imports
from telcrm.customers.models import Address, ContactMedium, Customer
from telcrm.platform import actions as platform_actions
from telcrm.platform import parameters
from telcrm.platform.models import Job, JobStatus, Parameter
from telcrm.platform.testing import count_queries

HEADERS = [
    "客户名称",
    "客户类型",
    "证件类型",
    "证件号码",
    "手机号码",
    "邮箱",
    "省",
    "市",
    "区",
    "地址",
    "标签",
]


def resident_id(n: int, birth: str = "19900101") -> str:
    body = f"110105{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


def credit_code(n: int) -> str:
    body = f"91330100MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


MIXED = [
    HEADERS,
    ["张三", "个人", "居民身份证", resident_id(1), "13800138001", "zs@example.com",
     "浙江省", "杭州市", "西湖区", "文三路1号", ""],
    ["李四", "个人", "身份证", bad_checksum(resident_id(2)), "13800138002", "", "", "", "", "", ""],
    ["王五", "个人", "", resident_id(3), "12345", "", "", "", "", "", ""],
    ["", "个人", "", resident_id(4), "13800138004", "", "", "", "", "", ""],
    ["张三丰", "个人", "", resident_id(1), "13800138005", "", "", "", "", "", ""],
    ["杭州某某科技有限公司", "企业", "营业执照", credit_code(7), "057188888888", "",
     "浙江省", "杭州市", "", "天目山路8号", ""],
    [None, None, None, None, None, None, None, None, None, None, None],
    ["Li Lei", "individual", "id_card", resident_id(9), "13800138009", "", "", "", "", "", ""],
]  # fmt: skip


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def manager(carrier):
    """The branch manager may import (customers.import_customer) and add customers."""
    return carrier["branch_manager"]


def upload(client, name: str, content: bytes):
    return client.post(reverse("customer-import"), {"file": SimpleUploadedFile(name, content)})


def run_upload(client_for, user, name, content, capture):
    client = client_for(user)
    with capture(execute=True):
        response = upload(client, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.filter(kind=imports.JOB_KIND).latest("created_at")
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    return job


def report_rows(media: Path, job: Job) -> list[tuple]:
    assert job.result_file.startswith("exports/")
    wb = load_workbook(media / job.result_file, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def set_param(key: str, value) -> None:
    Parameter.objects.filter(key=key).update(value=value)
    parameters.invalidate()


# --- the job ----------------------------------------------------------------------------------------
def test_mixed_file_creates_valid_rows_and_reports_the_others(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    job = run_upload(client_for, manager, "客户.xlsx", xlsx(MIXED), django_capture_on_commit_callbacks)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"rows": 7, "created": 3, "failed": 4}
    created = Customer.objects.filter(name__in=["张三", "杭州某某科技有限公司", "Li Lei"])
    assert created.count() == 3
    assert not Customer.objects.filter(name__in=["李四", "王五", "张三丰"]).exists()
    # rows land in the importer's org unit, owned by the importer
    assert {(c.org_unit_id, c.owner_id) for c in created} == {(manager.org_unit_id, manager.pk)}
    zhang = created.get(name="张三")
    assert Address.objects.filter(customer=zhang, city="杭州市", street="文三路1号").exists()
    assert ContactMedium.objects.filter(customer=zhang).count() == 2  # mobile and e-mail
    assert created.get(name="杭州某某科技有限公司").customer_type == "enterprise"

    rows = report_rows(media, job)
    assert rows[0] == ("行号", *HEADERS, "列", "错误原因")
    errors = {(r[0], r[-2]) for r in rows[1:]}
    assert errors >= {(3, "证件号码"), (4, "手机号码"), (5, "客户名称"), (6, "证件号码")}
    assert {r[0] for r in rows[1:]} == {3, 4, 5, 6}
    by_row = {r[0]: r for r in rows[1:]}
    assert "第 2 行" in by_row[6][-1]  # the duplicate names the first occurrence
    assert by_row[4][1] == "王五"  # the row's own values come along
    assert "*" in by_row[3][4]  # ... with the ID number masked
    assert job.progress_done == job.progress_total == 8  # every row after the header, the blank one too


def test_report_speaks_the_importers_language(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    manager.language = "en"
    manager.save(update_fields=["language"])
    rows = [HEADERS, ["李四", "个人", "", bad_checksum(resident_id(2)), "", "", "", "", "", "", ""]]
    job = run_upload(client_for, manager, "a.xlsx", xlsx(rows), django_capture_on_commit_callbacks)

    report = report_rows(media, job)
    assert report[0][0] == "Row" and report[0][-2:] == ("Column", "Error")
    assert report[1][0] == 2 and report[1][-2] == "证件号码"
    assert "check digit" in report[1][-1]
    assert job.message == "0 of 1 rows imported, 1 with errors"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_and_utf8_with_or_without_bom(
    encoding, carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    rows = [
        ["客户名称", "客户类型", "证件号码", "手机号码", "地址", "省", "市"],
        ["欧阳娜娜", "个人", resident_id(11), "13900139011", "解放路1号", "浙江省", "杭州市"],
        ["诸葛亮", "个人", resident_id(12), "13900139012", "", "", ""],
    ]
    job = run_upload(
        client_for, manager, "list.csv", csv_bytes(rows, encoding), django_capture_on_commit_callbacks
    )

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params["encoding"] == {"gbk": "gb18030"}.get(encoding, encoding)
    assert job.result == {"rows": 2, "created": 2, "failed": 0}
    assert job.result_file == ""  # nothing to report
    assert set(Customer.objects.values_list("name", flat=True)) >= {"欧阳娜娜", "诸葛亮"}
    assert Address.objects.get(customer__name="欧阳娜娜").street == "解放路1号"
    assert job.progress_done == job.progress_total == 2


def test_english_headers_and_values(carrier, manager, client_for, media, django_capture_on_commit_callbacks):
    rows = [
        ["Name", "Type", "ID number", "Phone", "Email", "Marketing consent"],
        ["Wang Fang", "individual", resident_id(21, "19851231"), "138 0013 8021", "wf@example.com", "yes"],
    ]
    job = run_upload(
        client_for, manager, "en.csv", csv_bytes(rows, "utf-8"), django_capture_on_commit_callbacks
    )

    assert job.result == {"rows": 1, "created": 1, "failed": 0}, report_rows(media, job)
    customer = Customer.objects.get(name="Wang Fang")
    assert customer.party.birth_date.isoformat() == "1985-12-31"  # derived from the ID, like at the counter
    assert ContactMedium.objects.filter(customer=customer, marketing_consent=True).count() == 2


def test_the_downloaded_template_imports_as_is(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    response = client.get(reverse("customer-import-template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    wb = load_workbook(io.BytesIO(content))
    header = [c.value for c in wb.active[1]]
    assert header[:4] == ["客户名称", "客户类型", "证件类型", "证件号码"]
    assert wb.active.max_row == 2  # the header and one example row

    job = run_upload(client_for, manager, "template.xlsx", content, django_capture_on_commit_callbacks)
    assert job.result == {"rows": 1, "created": 1, "failed": 0}, report_rows(media, job)
    assert not list((media / "imports").iterdir())  # the upload (plaintext ID numbers) is gone


def test_progress_reaches_the_total_and_the_upload_is_stored_under_imports(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    real = imports.Importer.save_checkpoint

    def spy(self, out, **kw):
        seen.append(sorted(p.name for p in (media / "imports").iterdir()))
        return real(self, out, **kw)

    monkeypatch.setattr(imports.Importer, "save_checkpoint", spy)
    rows = [HEADERS[:4]] + [[f"客户{i}", "个人", "", resident_id(100 + i)] for i in range(30)]
    job = run_upload(client_for, manager, "a.xlsx", xlsx(rows), django_capture_on_commit_callbacks)

    assert job.progress_total == 30 and job.progress_done == 30 and job.percent == 100
    assert any(name.endswith(".xlsx") for name in seen[0])  # kept under MEDIA_ROOT/imports while it runs
    assert job.params["file"].startswith("imports/")


def test_queries_do_not_grow_with_the_rows(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    """Rows are registered per batch (customers_create_many): the number of queries depends on the
    number of batches, not of rows."""

    def run(start: int, n: int) -> int:
        rows = [["客户名称", "客户类型", "证件号码", "手机号码", "标签"]]
        rows += [[f"客户{i}", "个人", resident_id(start + i), f"137{start + i:08d}", ""] for i in range(n)]
        with count_queries() as q:
            job = run_upload(client_for, manager, "a.xlsx", xlsx(rows), django_capture_on_commit_callbacks)
        assert job.result == {"rows": n, "created": n, "failed": 0}
        return len(q)

    run(500, 3)  # dictionaries and parameters now cached, as they are for every batch after the first
    ten, fifty = run(600, 10), run(700, 50)
    assert fifty - ten <= 2, (ten, fifty)  # progress writes are throttled; nothing per row


def test_a_worker_lost_mid_import_resumes_without_creating_a_row_twice(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks, monkeypatch
):
    from telcrm.customers import actions

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    real = actions.customers_write_prepared
    calls = {"n": 0}

    def flaky(batch):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: the worker dies
            raise ConnectionError("worker lost")
        return real(batch)

    monkeypatch.setattr(actions, "customers_write_prepared", flaky)
    rows = [HEADERS[:4]] + [[f"客户{i}", "个人", "", resident_id(200 + i)] for i in range(6)]
    rows.insert(2, ["坏行", "个人", "", "123"])  # row 3, an invalid row in the first batch
    job = run_upload(client_for, manager, "a.xlsx", xlsx(rows), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.result["checkpoint"]["row"] == 3  # batches of two rows: rows 2–3 committed
    assert Customer.objects.filter(name__startswith="客户").count() == 1  # the batch with row 4 rolled back

    with django_capture_on_commit_callbacks(execute=True):
        platform_actions.job_retry(actor=manager, job=job)
    job.refresh_from_db()

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"rows": 7, "created": 6, "failed": 1}
    assert Customer.objects.filter(name__startswith="客户").count() == 6
    assert [r[0] for r in report_rows(media, job)[1:]] == [3]  # the earlier attempt's error is kept, once


# --- the upload form ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "code_text"),
    [
        ("empty.xlsx", b"", "文件为空"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "只能导入 Excel 工作簿"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "二进制"),
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "不是有效的 Excel 工作簿"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "97-2003"),
        ("header-only.csv", "客户名称,客户类型\n".encode(), "没有数据行"),
        ("blank.csv", b"\n\n,,\n", "没有表头行"),
        ("columns.csv", "姓名,电话\n张三,13800138000\n".encode(), "缺少必填列：客户类型 / Type"),
        ("twice.csv", "客户名称,客户类型,name\n张三,个人,李四\n".encode(), "有两列都是"),
    ],
)
def test_bad_files_are_refused_with_a_named_error_and_no_job(
    name, content, code_text, carrier, manager, client_for, media
):
    response = upload(client_for(manager), name, content)

    assert response.status_code == 400
    assert code_text in response.content.decode()
    assert not Job.objects.exists()
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())


def test_oversized_file_is_refused(carrier, manager, client_for, media):
    set_param("customers.import_max_mb", 1)
    content = csv_bytes([["客户名称", "客户类型"]] + [["张三" * 50, "个人"]] * 4000, "utf-8")
    assert len(content) > 1024 * 1024

    response = upload(client_for(manager), "big.csv", content)

    assert response.status_code == 400
    assert "最大只能导入 1 MB" in response.content.decode()
    assert not Job.objects.exists()


def test_the_form_shows_the_size_limit_and_columns(carrier, manager, client_for):
    response = client_for(manager).get(reverse("customer-import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "100 MB" in html and "证件号码" in html and reverse("customer-import-template") in html


def test_unrecognised_columns_are_named_on_the_job_page(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    content = csv_bytes([["客户名称", "客户类型", "星座"], ["张三", "个人", "白羊"]], "utf-8")
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("customer-import"), {"file": SimpleUploadedFile("a.csv", content)}, follow=True
        )
    assert "以下列无法识别，已忽略：星座" in response.content.decode()


# --- who may import -------------------------------------------------------------------------------------
def test_an_importer_without_the_permission_gets_403(carrier, client_for, media):
    clerk = carrier["clerk"]
    assert not clerk.has_perm("customers.import_customer")
    client = client_for(clerk)
    assert client.get(reverse("customer-import")).status_code == 403
    assert upload(client, "a.xlsx", xlsx(MIXED)).status_code == 403
    assert client.get(reverse("customer-import-template")).status_code == 403
    assert not Job.objects.exists()


def test_a_job_whose_owner_lost_the_permission_fails_without_writing(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert upload(client, "a.xlsx", xlsx(MIXED)).status_code == 302
    manager.role = carrier["clerk"].role
    manager.save(update_fields=["role"])
    for callback in callbacks:
        callback()
    job = Job.objects.get(kind=imports.JOB_KIND)
    assert job.status == JobStatus.FAILED
    assert not Customer.objects.exists()


def test_header_key_folds_spelling_variants():
    assert imports.ALIASES[imports.header_key("客户名称*")] == "name"
    assert imports.ALIASES[imports.header_key("客户名称（必填）")] == "name"
    assert imports.ALIASES[imports.header_key(" Customer Name ")] == "name"
    assert imports.ALIASES[imports.header_key("ID_Number")] == "id_number"
    assert imports.ALIASES[imports.header_key("手机号码")] == "phone"


def test_a_csv_broken_further_down_fails_the_job_with_the_row(
    carrier, manager, client_for, media, django_capture_on_commit_callbacks
):
    content = "客户名称,客户类型\n张三,个人\n李四,个人\n".encode() + b'"' + b"x" * 200_000 + b'",\n'
    job = run_upload(client_for, manager, "a.csv", content, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "第 3 行之后格式有误" in job.error
