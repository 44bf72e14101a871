"""The TMF event hub endpoints (TMF630 part 2), mountable at any TMF API's basePath::

    POST   <basePath>/hub        {"callback": "https://listener.example/events", "query": "eventType=…"}
                                 → 201 {"id", "callback", "query"}
    DELETE <basePath>/hub/{id}   → 204

Mount it in the root URLconf ahead of the API's own routes, with the API's code registered in
tmf_events.py::

    path("tmf-api/customerManagement/v4/", include(hub_urls("TMF629"))),

Authentication and errors follow the TMF APIs (docs/decisions/0008): Bearer token or session, 401
without credentials, 403 without ``integration.manage_subscriptions`` and the API's read permission,
TMF ``Error`` bodies in the caller's language. The listener receives the events of the registering
user's data scope (see actions/subscriptions.py), POSTed as TMF events (tmf_events.py).
"""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from telcrm.customers.tmf.common import TmfError, exception_handler, parse_id
from telcrm.platform import context
from telcrm.platform.api.base import ApiView, request_data
from telcrm.platform.errors import NotFoundInScope

from . import actions
from .i18n import _
from .permissions import SUBSCRIPTIONS
from .tmf_events import HUB_APIS, HubApi


class HubPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        return user.has_perm(SUBSCRIPTIONS) and user.has_perm(view.api.read_permission)


@extend_schema(exclude=True)  # the contract is the TM Forum spec, not our schema
class _HubView(ApiView):
    api: HubApi = None
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    permission_classes = [HubPermission]
    field_names = {"callback": "callback", "query": "query", "topics": "query"}

    def get_exception_handler(self):
        return exception_handler

    def dispatch(self, request, *args, **kwargs):
        with context.acting(channel="api", request_id=context.current().request_id):
            return super().dispatch(request, *args, **kwargs)


class HubView(_HubView):
    http_method_names = ["post", "options"]

    def post(self, request):
        data = request_data(request)
        if not isinstance(data, dict):
            raise TmfError(400, "invalid", _("Send the subscription as a JSON object."))
        callback, query = data.get("callback"), data.get("query", "")
        if not isinstance(callback, str) or not callback.strip():
            raise TmfError(400, "required", _("callback: this attribute is required."))
        if query is None:
            query = ""
        if not isinstance(query, str):
            raise TmfError(400, "invalid", _("query: enter text, e.g. eventType=CustomerCreateEvent."))
        url = request.build_absolute_uri(request.path)
        base_url = url[: url.rfind("/hub")] + "/"
        sub = actions.hub_subscribe(
            actor=request.user, api=self.api.code, callback=callback, query=query, base_url=base_url
        )
        return Response({"id": str(sub.pk), "callback": sub.callback, "query": sub.tmf_query}, status=201)


class HubDetailView(_HubView):
    http_method_names = ["delete", "options"]

    def delete(self, request, pk):
        sub_id = parse_id(pk)
        if sub_id is None:
            raise NotFoundInScope()
        actions.hub_unsubscribe(actor=request.user, api=self.api.code, subscription=sub_id)
        return Response(status=204)


def hub_urls(api_code: str) -> list:
    """The ``hub`` routes of the TMF API ``api_code`` (registered with tmf_events.register_hub_api),
    to include at that API's basePath."""
    api = HUB_APIS[api_code]
    name = f"tmf-hub-{api.code.lower()}"
    return [
        re_path(r"^hub/?$", HubView.as_view(api=api), name=name),
        re_path(r"^hub/(?P<pk>[^/]+)/?$", HubDetailView.as_view(api=api), name=f"{name}-detail"),
    ]
