"""The import's pipeline on PostgreSQL: batch N is written by a second thread (its own connection) while
batch N+1 is validated. Outside a test transaction, so the job runs as a worker runs it."""

from __future__ import annotations

import pytest
from django.conf import settings

from telcrm.customers import imports
from telcrm.customers.models import Account, Customer
from telcrm.platform.models import AuditLog, JobStatus

from .test_import import HEADERS, report_rows, resident_id, run_upload, xlsx

pytestmark = [
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="the pipeline runs on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_batches_written_by_the_second_thread_land_once_in_order(
    carrier, client_for, media, monkeypatch, django_capture_on_commit_callbacks
):
    manager = carrier["branch_manager"]
    threads = set()
    real = imports.Importer.commit

    def spy(self, batch, out):
        import threading

        threads.add(threading.current_thread().name)
        return real(self, batch, out)

    monkeypatch.setattr(imports, "BATCH_ROWS", 4)
    monkeypatch.setattr(imports.Importer, "commit", spy)
    rows = [HEADERS[:5]] + [
        [f"客户{i}", "个人", "", resident_id(300 + i), f"1390000{i:04d}"] for i in range(22)
    ]
    rows[6] = ["坏行", "个人", "", "123", ""]  # row 7: an invalid ID number, in the second batch
    rows[12][3] = rows[2][3]  # row 13: the ID number of row 3, whose batch is already written
    job = run_upload(client_for, manager, "a.xlsx", xlsx(rows), django_capture_on_commit_callbacks)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"rows": 22, "created": 20, "failed": 2}
    assert any(name.startswith("import-writer") for name in threads), threads
    assert [r[0] for r in report_rows(media, job)[1:]] == [7, 13]
    made = Customer.objects.filter(name__startswith="客户").order_by("customer_no")
    numbers = [int(c.customer_no[1:]) for c in made]
    assert len(numbers) == 20 and numbers == list(
        range(numbers[0], numbers[0] + 20)
    )  # one block after another
    accounts = Account.objects.filter(customer__in=made).values_list("account_no", flat=True)
    assert len(set(accounts)) == 20
    assert (
        AuditLog.objects.filter(action="customer.create", object_id__in=[str(c.pk) for c in made]).count()
        == 20
    )
