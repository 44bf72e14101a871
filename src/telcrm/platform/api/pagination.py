from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        # A page that is not a positive number is bad input (400); a page past the end stays 404.
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            valid = (
                raw is None
                or raw in self.last_page_strings
                or (raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**9)
            )
            if not valid:
                from .base import api_error

                raise api_error(_("Enter a whole number of 1 or more."), code="invalid", field=name)
        return super().paginate_queryset(queryset, request, view)
