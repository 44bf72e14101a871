"""WSGI entry point (management tools and WSGI servers; the demo and production use ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcrm.settings")
application = get_wsgi_application()
