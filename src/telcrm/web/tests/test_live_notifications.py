"""A notification reaches the user's open page over the websocket; other users get nothing."""

import asyncio

import pytest
from channels.testing.websocket import WebsocketCommunicator

from telcrm.web.consumers import NotificationConsumer

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user):
    c = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    c.scope["user"] = user
    return c


def test_notification_is_pushed_to_its_recipient_only(carrier):
    from asgiref.sync import sync_to_async

    from telcrm.platform.actions import notify

    clerk, other = carrier["clerk"], carrier["other_clerk"]

    async def scenario():
        mine, theirs = _communicator(clerk), _communicator(other)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        await sync_to_async(notify)(recipient=clerk, title="工单已派发", level="info", link="/jobs/")
        message = await mine.receive_json_from(timeout=2)
        assert message == {"title": "工单已派发", "level": "info", "link": "/jobs/"}
        assert await theirs.receive_nothing(timeout=0.2)
        await mine.disconnect()
        await theirs.disconnect()

    asyncio.run(scenario())


def test_anonymous_websocket_is_refused(db):
    from django.contrib.auth.models import AnonymousUser

    async def scenario():
        c = _communicator(AnonymousUser())
        connected, _ = await c.connect()
        assert not connected

    asyncio.run(scenario())
