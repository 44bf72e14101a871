"""Websocket routes (Channels). Modules add theirs here (screen pop, wallboards)."""

from django.urls import path

from telcrm.web.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
