"""Pending installations (待装, ORD-5): installations, their appointments, installer-team capacity and
history; the built-in roles get the installation permissions (installation_permissions.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from telcrm.platform.roles import grant_app_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_classification_manual"),
        ("orders", "0003_orders_acceptance"),
        ("platform", "0003_parameter_description_en"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InstallAppointment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("window", models.CharField(max_length=50, verbose_name="time window")),
                (
                    "window_label",
                    models.CharField(blank=True, max_length=100, verbose_name="time window label"),
                ),
                ("starts_at", models.DateTimeField(verbose_name="from")),
                ("ends_at", models.DateTimeField(verbose_name="until")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("booked", "Booked"),
                            ("replaced", "Rebooked"),
                            ("cancelled", "Cancelled"),
                            ("kept", "Kept"),
                            ("missed", "Not completed"),
                        ],
                        default="booked",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                ("booked_at", models.DateTimeField(verbose_name="booked at")),
                ("arrived_at", models.DateTimeField(blank=True, null=True, verbose_name="arrived at")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed at")),
                (
                    "overdue_alerted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="overdue alert at"),
                ),
                (
                    "booked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="booked by",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="platform.orgunit",
                        verbose_name="installer team",
                    ),
                ),
            ],
            options={
                "verbose_name": "installation appointment",
                "verbose_name_plural": "installation appointments",
                "ordering": ["installation", "booked_at", "id"],
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="Installation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "business_key",
                    models.CharField(blank=True, db_index=True, max_length=64, verbose_name="business key"),
                ),
                (
                    "address",
                    models.CharField(blank=True, max_length=300, verbose_name="installation address"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("dispatch", "Awaiting dispatch"),
                            ("unbooked", "Awaiting appointment"),
                            ("booked", "Booked"),
                            ("on_site", "On site"),
                            ("installed", "Installed"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="dispatch",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                (
                    "state_changed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="state changed at"),
                ),
                (
                    "result",
                    models.CharField(
                        blank=True,
                        choices=[("installed", "Installed"), ("failed", "Could not install")],
                        max_length=16,
                        verbose_name="result",
                    ),
                ),
                (
                    "failure_reason",
                    models.CharField(blank=True, max_length=50, verbose_name="failure reason"),
                ),
                ("notes", models.CharField(blank=True, max_length=500, verbose_name="field notes")),
                ("ont_serial", models.CharField(blank=True, max_length=40, verbose_name="ONT serial")),
                (
                    "other_serials",
                    models.JSONField(blank=True, default=list, verbose_name="other equipment serials"),
                ),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orders.installappointment",
                        verbose_name="appointment",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "dispatcher",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who dispatched, booked or assigned it last; told when it runs late.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="dispatcher",
                    ),
                ),
                (
                    "finished_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="finished by",
                    ),
                ),
                (
                    "instance",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="installation",
                        to="orders.processinstance",
                        verbose_name="process instance",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
                (
                    "org_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="platform.orgunit",
                        verbose_name="organisation unit",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="platform.orgunit",
                        verbose_name="installer team",
                    ),
                ),
                (
                    "work_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orders.workorder",
                        verbose_name="current work order",
                    ),
                ),
            ],
            options={
                "verbose_name": "installation",
                "verbose_name_plural": "installations",
                "ordering": ["-id"],
                "permissions": [
                    ("view_installation", "Can see pending installations"),
                    ("book_installation", "Can book installation appointments and assign installers"),
                    ("report_installation", "Can report field feedback of their installations"),
                    ("manage_install_capacity", "Can set the capacity of installer teams"),
                ],
                "default_permissions": (),
            },
        ),
        migrations.AddField(
            model_name="installappointment",
            name="installation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="appointments",
                to="orders.installation",
                verbose_name="installation",
            ),
        ),
        migrations.CreateModel(
            name="InstallationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="time")),
                (
                    "move",
                    models.CharField(
                        choices=[
                            ("entered", "Waiting for dispatch"),
                            ("dispatched", "Dispatched"),
                            ("queued", "Queued at the installer team"),
                            ("booked", "Appointment booked"),
                            ("rebooked", "Appointment rebooked"),
                            ("assigned", "Installer assigned"),
                            ("released", "Back in the team queue"),
                            ("moved", "Moved to another team"),
                            ("escalated", "Escalated"),
                            ("arrived", "Installer arrived"),
                            ("installed", "Installed"),
                            ("failed", "Installation failed"),
                            ("cancelled", "Cancelled"),
                            ("sla_warning", "SLA warning"),
                            ("sla_overdue", "SLA overdue"),
                            ("appt_overdue", "Appointment passed without feedback"),
                        ],
                        max_length=16,
                        verbose_name="what happened",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("dispatch", "Awaiting dispatch"),
                            ("unbooked", "Awaiting appointment"),
                            ("booked", "Booked"),
                            ("on_site", "On site"),
                            ("installed", "Installed"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                ("detail", models.CharField(blank=True, max_length=500, verbose_name="detail")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="installer",
                    ),
                ),
                (
                    "installation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="orders.installation",
                        verbose_name="installation",
                    ),
                ),
                (
                    "work_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orders.workorder",
                        verbose_name="work order",
                    ),
                ),
            ],
            options={
                "verbose_name": "installation event",
                "verbose_name_plural": "installation events",
                "ordering": ["installation", "at", "id"],
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="InstallCapacity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("window", models.CharField(blank=True, max_length=50, verbose_name="time window")),
                ("day", models.DateField(blank=True, null=True, verbose_name="day")),
                ("capacity", models.PositiveSmallIntegerField(verbose_name="installations per slot")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="changed at")),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="platform.orgunit",
                        verbose_name="installer team",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "installer team capacity",
                "verbose_name_plural": "installer team capacities",
                "ordering": ["team", "day", "window"],
                "default_permissions": (),
            },
        ),
        migrations.AddIndex(
            model_name="installation",
            index=models.Index(fields=["state", "team"], name="orders_inst_state_team_idx"),
        ),
        migrations.AddIndex(
            model_name="installation",
            index=models.Index(fields=["org_unit", "-id"], name="orders_inst_org_idx"),
        ),
        migrations.AddIndex(
            model_name="installappointment",
            index=models.Index(fields=["team", "day", "window", "state"], name="orders_appt_slot_idx"),
        ),
        migrations.AddIndex(
            model_name="installappointment",
            index=models.Index(fields=["state", "ends_at"], name="orders_appt_due_idx"),
        ),
        migrations.AddConstraint(
            model_name="installcapacity",
            constraint=models.UniqueConstraint(
                condition=models.Q(("day__isnull", False)),
                fields=("team", "window", "day"),
                name="orders_capacity_day_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="installcapacity",
            constraint=models.UniqueConstraint(
                condition=models.Q(("day__isnull", True)),
                fields=("team", "window"),
                name="orders_capacity_default_once",
            ),
        ),
        migrations.RunPython(grant_app_permissions("orders"), migrations.RunPython.noop),
    ]
