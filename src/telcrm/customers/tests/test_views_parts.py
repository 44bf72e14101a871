"""The 360 page's in-place editing (HTMX partials), its operations (real name, credit, blacklist,
interaction, tags), update requests review, duplicates and merges."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from telcrm.customers.models import (
    Address,
    BlacklistEntry,
    ContactMedium,
    ContactPerson,
    Customer,
    CustomerStatus,
    Interaction,
    Merge,
    RequestStatus,
    Tag,
    UpdateRequest,
)
from telcrm.platform.models import AuditLog

from ._domain_fixtures import credit_code, register, resident_id

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mine(carrier):
    return register(carrier["clerk"], name="王小明", phone="13812345678")


@pytest.fixture
def company(carrier):
    return register(
        carrier["clerk"],
        customer_type="enterprise",
        name="杭州测试科技有限公司",
        id_doc_type="business_license",
        id_number=credit_code(),
    )


# --- contact media ------------------------------------------------------------------------------
def test_add_edit_delete_a_contact_medium_in_place(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    url = reverse("customer-media-create", args=[mine.pk])
    html = client.get(url, **HX).content.decode()
    assert 'data-testid="part-form-media"' in html and "<html" not in html
    html = client.post(
        url, {"kind": "email", "value": "wxm@example.com", "marketing_consent": "on"}, **HX
    ).content.decode()
    medium = mine.contact_media.get(kind="email")
    assert 'id="part-media"' in html and "part-form-media" not in html and str(medium.value) in html
    assert medium.marketing_consent and not medium.do_not_disturb
    # edit: the value left blank keeps the stored one
    edit = reverse("customer-media-edit", args=[mine.pk, medium.pk])
    assert "part-form-media" in client.get(edit, **HX).content.decode()
    html = client.post(edit, {"kind": "email", "value": "", "do_not_disturb": "on"}, **HX).content.decode()
    medium.refresh_from_db()
    assert medium.do_not_disturb and not medium.marketing_consent
    assert medium.value.reveal_unaudited() == "wxm@example.com" and 'data-testid="dnd"' in html
    html = client.post(reverse("customer-media-delete", args=[mine.pk, medium.pk]), **HX).content.decode()
    assert not ContactMedium.objects.filter(pk=medium.pk).exists() and 'id="part-media"' in html


def test_bad_contact_value_is_named_and_not_saved(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    before = ContactMedium.objects.count()
    html = client.post(
        reverse("customer-media-create", args=[mine.pk]), {"kind": "mobile", "value": "12345"}, **HX
    ).content.decode()
    assert 'data-field="value"' in html and "part-form-media" in html
    html = client.post(
        reverse("customer-media-create", args=[mine.pk]),
        {"kind": "mobile", "value": "13900001111", "marketing_consent": "on", "do_not_disturb": "on"},
        **HX,
    ).content.decode()
    assert 'data-field="do_not_disturb"' in html
    assert ContactMedium.objects.count() == before


def test_without_htmx_the_part_has_a_page_and_redirects_back(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    url = reverse("customer-media-create", args=[mine.pk])
    html = client.get(url).content.decode()
    assert "<html" in html and 'data-testid="part-form-media"' in html
    response = client.post(url, {"kind": "wechat", "value": "wxm_2026"})
    assert response.status_code == 302 and response["Location"] == reverse("customer-detail", args=[mine.pk])


def test_contact_medium_reveal_is_audited(carrier, client_for, mine):
    medium = mine.contact_media.get()
    response = client_for(carrier["clerk"]).post(reverse("customer-media-reveal", args=[mine.pk, medium.pk]))
    assert "13812345678" in response.content.decode()
    assert AuditLog.objects.filter(kind="reveal", object_id=str(medium.pk)).exists()


# --- addresses and key persons -----------------------------------------------------------------
def test_addresses_in_place(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    url = reverse("customer-addresses-create", args=[mine.pk])
    data = {
        "kind": "home",
        "province": "浙江省",
        "city": "杭州市",
        "street": "文三路 9 号",
        "postcode": "310012",
    }
    html = client.post(url, data, **HX).content.decode()
    address = Address.objects.get(customer=mine)
    assert "文三路 9 号" in html and address.is_primary
    html = client.post(url, {**data, "postcode": "31"}, **HX).content.decode()
    assert 'data-field="postcode"' in html and Address.objects.filter(customer=mine).count() == 1
    edit = reverse("customer-addresses-edit", args=[mine.pk, address.pk])
    client.post(edit, {**data, "street": "文二路 1 号"}, **HX)
    address.refresh_from_db()
    assert address.street == "文二路 1 号"
    client.post(reverse("customer-addresses-delete", args=[mine.pk, address.pk]), **HX)
    assert not Address.objects.filter(customer=mine).exists()


def test_key_persons_of_an_enterprise(carrier, client_for, company, mine):
    client = client_for(carrier["clerk"])
    html = client.post(
        reverse("customer-contacts-create", args=[company.pk]),
        {"name": "赵经理", "title": "采购部经理", "phone": "13955556666", "is_decision_maker": "on"},
        **HX,
    ).content.decode()
    person = ContactPerson.objects.get(customer=company)
    assert (
        "赵经理" in html and "139****6666" in html and "13955556666" not in html and person.is_decision_maker
    )
    detail = client.get(reverse("customer-detail", args=[company.pk])).content.decode()
    assert 'data-panel="contact_people"' in detail
    assert (
        'data-panel="contact_people"'
        not in client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    )
    # an individual has no key persons: the action's refusal is shown, nothing is written
    html = client.post(
        reverse("customer-contacts-create", args=[mine.pk]), {"name": "某人"}, **HX
    ).content.decode()
    assert "form-errors" in html and not ContactPerson.objects.filter(customer=mine).exists()


# --- operations -----------------------------------------------------------------------------------
def test_real_name_registration(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    url = reverse("customer-verify", args=[mine.pk])
    html = client.post(url, {"id_doc_type": "id_card", "id_number": "330106199001011230"}).content.decode()
    assert 'data-field="id_number"' in html
    number = resident_id()
    response = client.post(url, {"id_doc_type": "id_card", "id_number": number})
    assert response.status_code == 302
    mine.party.refresh_from_db()
    assert mine.party.id_verified_at and mine.party.id_number.reveal_unaudited() == number
    html = client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    assert 'data-testid="real-name-ok"' in html


def test_credit_and_blacklist_by_the_branch_manager(carrier, client_for, mine):
    client = client_for(carrier["branch_manager"])
    response = client.post(reverse("customer-credit", args=[mine.pk]), {"level": "1", "reason": "多次欠费"})
    assert response.status_code == 302 and response["Location"].endswith("#credit")
    mine.refresh_from_db()
    assert mine.credit_level == 1
    url = reverse("customer-blacklist-add", args=[mine.pk])
    today = timezone.localdate()
    html = client.post(
        url, {"reason_code": "fraud", "effect": "block_all", "valid_from": today, "valid_to": "2000-01-01"}
    ).content.decode()
    assert 'data-field="valid_to"' in html and not BlacklistEntry.objects.exists()
    client.post(url, {"reason_code": "fraud", "effect": "block_all", "valid_from": today})
    entry = BlacklistEntry.objects.get(customer=mine)
    html = client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    assert reverse("customer-blacklist-lift", args=[mine.pk, entry.pk]) in html
    response = client.post(reverse("customer-blacklist-lift", args=[mine.pk, entry.pk]), {"reason": "已核实"})
    entry.refresh_from_db()
    assert response.status_code == 302 and entry.lifted_at and entry.lifted_by == carrier["branch_manager"]
    assert client.get(reverse("customer-blacklist-lift", args=[mine.pk, entry.pk])).status_code == 404


def test_interaction_and_tags(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    response = client.post(
        reverse("customer-interaction-create", args=[mine.pk]),
        {"channel": "counter", "direction": "in", "kind": "consultation", "summary": "咨询 5G 套餐"},
    )
    assert response.status_code == 302
    assert Interaction.objects.filter(customer=mine, summary="咨询 5G 套餐", owner=carrier["clerk"]).exists()
    tag = Tag.objects.create(code="family", name="家庭套餐")
    html = client.post(reverse("customer-tags", args=[mine.pk]), {"tags": [tag.pk]}, **HX).content.decode()
    assert "家庭套餐" in html and list(mine.tags.all()) == [tag]


def test_classification_recalculated(carrier, client_for, mine):
    response = client_for(carrier["clerk"]).post(reverse("customer-classify", args=[mine.pk]))
    mine.refresh_from_db()
    assert response.status_code == 302 and mine.classified_at is not None


def test_field_history_tab(carrier, client_for, mine):
    from telcrm.customers.actions import customer_update

    customer_update(actor=carrier["clerk"], customer=mine, name="王晓明")
    html = (
        client_for(carrier["clerk"]).get(reverse("customer-history", args=[mine.pk]), **HX).content.decode()
    )
    assert (
        'data-testid="history-row"' in html and "王小明" in html and "王晓明" in html and "<html" not in html
    )


# --- update requests ------------------------------------------------------------------------------
def _request(customer, **changes):
    from telcrm.customers.actions import update_request_submit

    return update_request_submit(customer=customer, changes=changes or {"email": "new@example.com"})


def test_update_requests_review(carrier, client_for, mine):
    approve = _request(mine, email="new@example.com", phone="13700001111")
    reject = _request(mine, marketing_consent=True)
    client = client_for(carrier["branch_manager"])
    html = client.get(reverse("update-request-list")).content.decode()
    assert (
        html.count('data-testid="request-row"') == 2 and "137****1111" in html and "13700001111" not in html
    )
    html = client.post(
        reverse("update-request-review", args=[approve.pk]), {"decision": "approve", "note": "核实"}, **HX
    ).content.decode()
    approve.refresh_from_db()
    assert approve.status == RequestStatus.APPROVED and 'data-testid="request-status"' in html
    assert mine.contact_media.filter(kind="email").exists()
    client.post(reverse("update-request-review", args=[reject.pk]), {"decision": "reject", "note": "未核实"})
    reject.refresh_from_db()
    assert reject.status == RequestStatus.REJECTED
    assert 'data-testid="request-row"' not in client.get(reverse("update-request-list")).content.decode()


def test_update_requests_stay_in_scope(carrier, client_for):
    ningbo = register(carrier["other_clerk"], name="宁波客户")
    req = _request(ningbo)
    client = client_for(carrier["branch_manager"])
    assert 'data-testid="request-row"' not in client.get(reverse("update-request-list")).content.decode()
    assert (
        client.post(reverse("update-request-review", args=[req.pk]), {"decision": "approve"}).status_code
        == 404
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING
    assert (
        client_for(carrier["clerk"]).post(reverse("update-request-review", args=[req.pk])).status_code == 403
    )


# --- duplicates and merges --------------------------------------------------------------------------
@pytest.fixture
def twins(carrier):
    first = register(carrier["clerk"], name="陈一", phone="13611112222")
    second = register(carrier["clerk"], name="陈一", phone="13611112222")
    return first, second


def test_duplicates_box_and_page(carrier, client_for, twins):
    first, second = twins
    client = client_for(carrier["branch_manager"])
    html = client.get(reverse("customer-duplicates-box", args=[first.pk]), **HX).content.decode()
    assert reverse("customer-detail", args=[second.pk]) in html and 'data-testid="compare-merge"' in html
    html = client.get(reverse("customer-duplicates")).content.decode()
    assert reverse("customer-detail", args=[second.pk]) in html and "136****2222" in html
    html = (
        client_for(carrier["clerk"]).get(reverse("customer-duplicates-box", args=[first.pk])).content.decode()
    )
    assert 'data-testid="compare-merge"' not in html  # the clerk may not merge


def test_merge_and_undo(carrier, client_for, twins):
    first, second = twins
    manager = client_for(carrier["branch_manager"])
    url = reverse("customer-merge", args=[first.pk]) + f"?duplicate={second.pk}"
    html = manager.get(url).content.decode()
    assert 'data-testid="merge-compare"' in html and second.customer_no in html
    response = manager.post(reverse("customer-merge", args=[first.pk]), {"duplicate": second.pk})
    assert response.status_code == 302 and response["Location"].endswith("#merges")
    second.refresh_from_db()
    assert second.status == CustomerStatus.MERGED and second.merged_into == first
    merge = Merge.objects.get()
    html = manager.get(reverse("customer-detail", args=[first.pk])).content.decode()
    assert 'data-testid="merge-row"' in html and 'data-testid="unmerge"' not in html  # undo: administrators
    assert manager.post(reverse("customer-unmerge", args=[merge.pk])).status_code == 403
    html = manager.get(reverse("customer-detail", args=[second.pk])).content.decode()
    assert 'data-testid="merged-banner"' in html
    admin = client_for(carrier["admin"])
    assert 'data-testid="unmerge"' in admin.get(reverse("customer-detail", args=[first.pk])).content.decode()
    admin.post(reverse("customer-unmerge", args=[merge.pk]))
    second.refresh_from_db()
    merge.refresh_from_db()
    assert second.status == CustomerStatus.ACTIVE and merge.reverted_at is not None


def test_merge_outside_scope_is_404(carrier, client_for, twins):
    ningbo = register(carrier["other_clerk"], name="陈一", phone="13611112222")
    client = client_for(carrier["branch_manager"])
    url = reverse("customer-merge", args=[twins[0].pk])
    assert client.get(url + f"?duplicate={ningbo.pk}").status_code == 404
    assert client.post(url, {"duplicate": ningbo.pk}).status_code == 404
    assert not Merge.objects.exists()
    assert Customer.objects.get(pk=ningbo.pk).status == CustomerStatus.ACTIVE


def test_update_request_model_is_pending_by_default(mine):
    assert _request(mine).status == RequestStatus.PENDING and UpdateRequest.objects.count() == 1


def test_reclassify_all_is_a_job_for_managers(carrier, client_for, mine):
    from telcrm.platform.models import Job

    manager = client_for(carrier["branch_manager"])
    assert 'action="/customers/classify/"' in manager.get(reverse("customer-list")).content.decode()
    response = manager.post(reverse("customer-classify-all"))
    job = Job.objects.get(kind="customers.classify")
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    clerk = client_for(carrier["clerk"])
    assert 'action="/customers/classify/"' not in clerk.get(reverse("customer-list")).content.decode()
    assert clerk.post(reverse("customer-classify-all")).status_code == 403


def test_self_service_link_from_the_360_page(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    html = client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    assert 'data-testid="selfservice-link-button"' in html
    html = client.post(reverse("customer-selfservice-link", args=[mine.pk]), **HX).content.decode()
    assert 'data-testid="selfservice-link"' in html and "<html" not in html


def test_release_of_hand_set_classes_from_the_360_page(carrier, client_for):
    from telcrm.customers.actions import customer_update
    from telcrm.customers.models import ValueTier
    from telcrm.customers.testing import make_customer

    manager = carrier["branch_manager"]
    c = make_customer(carrier.branch, owner=carrier["clerk"])
    customer_update(actor=manager, customer=c, value_tier=ValueTier.VIP)
    client = client_for(manager)
    assert (
        'data-testid="classification-release"'
        in client.get(reverse("customer-detail", args=[c.pk])).content.decode()
    )
    response = client.post(reverse("customer-classification-release", args=[c.pk]))
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.classification_manual == [] and c.value_tier == ValueTier.ORDINARY  # no lines: back to the rules
    assert (
        client_for(carrier["clerk"]).post(reverse("customer-classification-release", args=[c.pk])).status_code
        == 403
    )
