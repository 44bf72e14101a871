"""Tokens and the signed-in user: POST/DELETE /api/v1/auth/token, GET/PATCH /api/v1/me."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from .. import actions, queries
from ..models import User
from ..parameters import param
from .authentication import BearerTokenAuthentication
from .base import ApiView, activate, api_error
from .serializers import ErrorOutput, MeOutput, MeUpdateInput, TokenInput, TokenOutput

ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}

LOCKED_MESSAGE = _(
    "This account is locked after too many failed sign-ins. Try again in %(minutes)d minutes "
    "or ask an administrator to unlock it."
)


class TokenView(ApiView):
    """Bearer tokens: issue one for username + password; revoke the one a request is made with."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_authenticators(self):
        # Issuing a token needs no credentials but the body's; revoking needs the token itself.
        if self.request is not None and self.request.method == "POST":
            return []
        return [BearerTokenAuthentication()]

    def get_permissions(self):
        if self.request is not None and self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        tags=["auth"],
        auth=[],
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: ErrorOutput,
            403: OpenApiResponse(ErrorOutput, description="Account locked (code `locked`)"),
            429: ErrorOutput,
        },
        summary="Issue a bearer token",
    )
    def post(self, request):
        data = self.parse(TokenInput)
        try:
            # The DRF request goes to authenticate(): django-axes counts failures and flags a lockout on it.
            raw, token = actions.api_token_issue(
                request=request, username=data["username"], password=data["password"]
            )
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                raise api_error(
                    LOCKED_MESSAGE,
                    code="locked",
                    field="username",
                    status_code=403,
                    minutes=int(param("auth.lockout_minutes")),
                ) from None
            raise
        return Response(TokenOutput({"token": raw, "expires_at": token.expires_at}).data)

    @extend_schema(
        tags=["auth"],
        request=None,
        responses={204: None, 401: ErrorOutput},
        summary="Revoke the bearer token of this request",
    )
    def delete(self, request):
        actions.api_token_revoke(actor=request.user, raw=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ApiView):
    """The signed-in user: role, org unit, data scope, permissions, language."""

    def _me(self, request) -> User:
        return queries.user_get(request.user, request.user.pk)

    @extend_schema(tags=["me"], responses={200: MeOutput, 401: ErrorOutput}, summary="The signed-in user")
    def get(self, request):
        return self.render(MeOutput, self._me(request))

    @extend_schema(
        tags=["me"], request=MeUpdateInput, responses={200: MeOutput, **ERRORS}, summary="Change my language"
    )
    def patch(self, request):
        data = self.parse(MeUpdateInput)
        actions.user_set_language(actor=request.user, language=data["language"])
        activate(request, data["language"])  # answer in the language just chosen
        return self.render(MeOutput, self._me(request))
