"""Helpers shared by the catalog views: permissions for the templates, HTMX responses."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from ..actions._common import APPROVE, MANAGE, REQUEST, VIEW

CUSTOMER_VIEW = "customers.view_customer"


def perms(user) -> dict:
    return {
        "view": user.has_perm(VIEW),
        "manage": user.has_perm(MANAGE),
        "request": user.has_perm(REQUEST),
        "approve": user.has_perm(APPROVE),
        "customers": user.has_perm(CUSTOMER_VIEW),
    }


def partial(request, template: str, name: str) -> str:
    """``template#name`` for an HTMX request (not boosted), the full page otherwise."""
    return f"{template}#{name}" if request.htmx and not request.htmx.boosted else template


def done(request, url: str, message=None):
    """After a write: a flash message, then HX-Redirect for HTMX or a plain redirect."""
    if message:
        messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def first_error(exc) -> str:
    """The first message of a ValidationError, for a flash message."""
    if hasattr(exc, "message_dict"):
        for errors in exc.message_dict.values():
            if errors:
                return errors[0]
    return "; ".join(exc.messages) if hasattr(exc, "messages") else str(exc)
