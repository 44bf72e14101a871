"""The Celery application. Broker: Redis in production, SQLite (kombu SQLAlchemy transport) embedded."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcrm.settings")

app = Celery("telcrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
