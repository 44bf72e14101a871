"""UI routes: orders (the counter) under /orders/, work orders under /workorders/, processes under
/processes/ (mounted in telcrm/urls.py)."""

from django.urls import path

from .views import acceptance, aftercare, installation_capacity, installations, processes, workorders

order_urls = [
    path("", acceptance.order_list, name="order-list"),
    path("stats/", acceptance.order_stats, name="order-stats"),
    path("new/", acceptance.order_new, name="order-new"),
    path("<int:pk>/", acceptance.order_detail, name="order-detail"),
    path("<int:pk>/items/", acceptance.item_add, name="order-item-add"),
    path("<int:pk>/items/remove/", acceptance.item_remove, name="order-item-remove"),
    path("<int:pk>/number/", acceptance.number_choose, name="order-number"),
    path("<int:pk>/sim/", acceptance.sim_choose, name="order-sim"),
    path("<int:pk>/details/", acceptance.details_set, name="order-details"),
    path("<int:pk>/payments/", acceptance.payment_add, name="order-payment"),
    path("<int:pk>/submit/", acceptance.submit, name="order-submit"),
    path("<int:pk>/abandon/", acceptance.abandon, name="order-abandon"),
    path("<int:pk>/receipt.pdf", acceptance.receipt, name="order-receipt"),
    path("<int:pk>/cancel/", aftercare.cancel, name="order-cancel"),
    path("<int:pk>/retry/", aftercare.retry, name="order-retry"),
    path("<int:pk>/refund/", aftercare.refund, name="order-refund"),
    path("failed/", aftercare.failed_list, name="order-failed-list"),
]

workorder_urls = [
    path("", workorders.queue, name="workorder-queue"),
    path("mine/", workorders.mine, name="workorder-mine"),
    path("all/", workorders.work_order_list, name="workorder-list"),
    path("stats/", workorders.stats, name="workorder-stats"),
    path("<int:pk>/", workorders.detail, name="workorder-detail"),
    path("<int:pk>/claim/", workorders.claim, name="workorder-claim"),
    path("<int:pk>/release/", workorders.release, name="workorder-release"),
    path("<int:pk>/complete/", workorders.complete, name="workorder-complete"),
    path("<int:pk>/return/", workorders.return_, name="workorder-return"),
    path("<int:pk>/reassign/", workorders.reassign, name="workorder-reassign"),
    path("<int:pk>/escalate/", workorders.escalate, name="workorder-escalate"),
    # pending installations (待装): the dispatcher's pages, the installer's phone pages, team capacity
    path("installations/", installations.installation_list, name="installation-list"),
    path("installations/mine/", installations.mine, name="installation-mine"),
    path("installations/capacity/", installation_capacity.capacity, name="installation-capacity"),
    path("installations/capacity/set/", installation_capacity.capacity_set, name="installation-capacity-set"),
    path(
        "installations/capacity/<int:pk>/delete/",
        installation_capacity.capacity_delete,
        name="installation-capacity-delete",
    ),
    path("installations/<int:pk>/", installations.detail, name="installation-detail"),
    path("installations/<int:pk>/slots/", installations.slot_grid, name="installation-slots"),
    path("installations/<int:pk>/dispatch/", installations.dispatch, name="installation-dispatch"),
    path("installations/<int:pk>/book/", installations.book, name="installation-book"),
    path("installations/<int:pk>/assign/", installations.assign, name="installation-assign"),
    path("installations/<int:pk>/field/", installations.field, name="installation-field"),
    path("installations/<int:pk>/claim/", installations.claim, name="installation-claim"),
    path("installations/<int:pk>/arrive/", installations.arrive, name="installation-arrive"),
    path("installations/<int:pk>/finish/", installations.finish, name="installation-finish"),
    path("installations/<int:pk>/reveal/", installations.reveal, name="installation-reveal"),
]

process_urls = [
    path("", processes.definition_list, name="process-list"),
    path("new/", processes.definition_create, name="process-create"),
    path("validate/", processes.validate, name="process-validate"),
    path("instances/", processes.instance_list, name="process-instance-list"),
    path("instances/<int:pk>/", processes.instance_detail, name="process-instance-detail"),
    path("instances/<int:pk>/retry/", processes.instance_retry, name="process-instance-retry"),
    path("instances/<int:pk>/cancel/", processes.instance_cancel, name="process-instance-cancel"),
    path("<int:pk>/", processes.definition_detail, name="process-detail"),
    path("<int:pk>/edit/", processes.definition_edit, name="process-edit"),
    path("<int:pk>/draft/", processes.draft_save, name="process-draft-save"),
    path("<int:pk>/upload/", processes.upload, name="process-upload"),
    path("<int:pk>/publish/", processes.publish, name="process-publish"),
    path("<int:pk>/discard/", processes.discard, name="process-discard"),
    path("<int:pk>/versions/<int:number>/", processes.version_detail, name="process-version"),
    path(
        "<int:pk>/versions/<int:number>/download/",
        processes.version_download,
        name="process-version-download",
    ),
    path(
        "<int:pk>/versions/<int:number>/restore/", processes.version_restore, name="process-version-restore"
    ),
    path("<int:pk>/versions/<int:number>/retire/", processes.version_retire, name="process-version-retire"),
]
