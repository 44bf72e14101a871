"""Grant the built-in roles their ticket permissions (permissions.SERVICE_PERMISSIONS) on databases whose
roles already exist, and seed the starter category tree with SLA targets for complaints and faults
(an administrator edits them afterwards; a second run leaves existing codes alone)."""

from django.db import migrations

from telcrm.platform.roles import grant_app_permissions

# code: (name, English name, parent code)
CATEGORIES = {
    "complaint": ("投诉", "Complaints", None),
    "complaint.network": ("网络质量投诉", "Network quality", "complaint"),
    "complaint.billing": ("资费计费投诉", "Charges and billing", "complaint"),
    "complaint.service": ("服务态度投诉", "Service manner", "complaint"),
    "consultation": ("咨询", "Consultations", None),
    "consultation.plan": ("套餐业务咨询", "Plans and services", "consultation"),
    "fault": ("故障", "Faults", None),
    "fault.mobile": ("移动网络故障", "Mobile network", "fault"),
    "fault.broadband": ("宽带故障", "Broadband", "fault"),
    "suggestion": ("建议", "Suggestions", None),
    "billing_dispute": ("账务争议", "Billing disputes", None),
    "port_request": ("携号转网", "Number portability", None),
}
# category: {priority: (first response, resolution)} in working minutes
TARGETS = {
    "complaint": {1: (15, 240), 2: (30, 480), 3: (120, 1440), 4: (240, 2880)},
    "fault": {1: (15, 120), 2: (30, 240), 3: (60, 960), 4: (240, 1920)},
}


def seed(apps, schema_editor):
    Category = apps.get_model("service", "TicketCategory")
    Target = apps.get_model("service", "SlaTarget")
    made = {}
    for n, (code, (name, name_en, parent)) in enumerate(CATEGORIES.items()):
        row, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "parent": made.get(parent), "sort": n}
        )
        made[code] = row
    for code, per_priority in TARGETS.items():
        for priority, (response, resolution) in per_priority.items():
            Target.objects.get_or_create(
                category=made[code],
                priority=priority,
                defaults={"response_minutes": response, "resolution_minutes": resolution},
            )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial"), ("platform", "0003_parameter_description_en")]

    operations = [
        migrations.RunPython(grant_app_permissions("service"), migrations.RunPython.noop),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
