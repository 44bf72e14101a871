"""Forms of the parameter, dictionary and calendar pages. They parse input; the actions validate and write."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from datetime import time
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.web.forms import BootstrapMixin

from . import queries
from .models import HolidayKind, Parameter, ParamType

# ISO weekday number → form field name; labels are Django's own translated weekday names.
WEEKDAY_FIELDS: tuple[tuple[int, str], ...] = (
    (1, "mon"),
    (2, "tue"),
    (3, "wed"),
    (4, "thu"),
    (5, "fri"),
    (6, "sat"),
    (7, "sun"),
)
MAX_DEADLINE_MINUTES = 60 * 24 * 366  # a year of round-the-clock time: far beyond any SLA


def _plain(n) -> str:
    return format(Decimal(str(n)).normalize(), "f")


# --- parameters -----------------------------------------------------------------------------
def value_as_text(p: Parameter) -> str:
    """The stored value as the edit form shows it."""
    if p.type == ParamType.JSON:
        return json.dumps(p.value, ensure_ascii=False, indent=2)
    return "" if p.value is None else str(p.value)


def _value_field(p: Parameter) -> forms.Field:
    label = pgettext_lazy("config", "New value")
    if p.type in (ParamType.INT, ParamType.DURATION, ParamType.DECIMAL):
        attrs = {"step": "1" if p.type != ParamType.DECIMAL else "any", "inputmode": "decimal"}
        if p.min_value is not None:
            attrs["min"] = _plain(p.min_value)
        if p.max_value is not None:
            attrs["max"] = _plain(p.max_value)
        help_text = ""
        if p.min_value is not None and p.max_value is not None:
            help_text = _("From %(min)s to %(max)s.") % {"min": attrs["min"], "max": attrs["max"]}
        elif p.min_value is not None:
            help_text = _("At least %(min)s.") % {"min": attrs["min"]}
        elif p.max_value is not None:
            help_text = _("At most %(max)s.") % {"max": attrs["max"]}
        if p.type == ParamType.DURATION:
            unit = pgettext_lazy("config", "In minutes.")
            help_text = f"{help_text} {unit}".strip()
        # A text field on purpose: parameters.coerce is the one place that parses and checks the number.
        return forms.CharField(label=label, help_text=help_text, widget=forms.NumberInput(attrs=attrs))
    if p.type == ParamType.BOOL:
        return forms.BooleanField(label=label, required=False)
    if p.type == ParamType.CHOICE and p.choices:
        return forms.ChoiceField(label=label, choices=[(c, c) for c in p.choices])
    if p.type == ParamType.JSON:
        return forms.CharField(
            label=label,
            help_text=_('A JSON value, for example {"a": 1} or [1, 2].'),
            widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "spellcheck": "false"}),
        )
    return forms.CharField(label=label, required=False, max_length=1000)


class _ParameterFormBase(BootstrapMixin, forms.Form):
    field_order = ["value", "reason"]
    reason = forms.CharField(
        label=pgettext_lazy("config", "Reason for change"),
        max_length=100,
        help_text=_("Kept in the parameter's history, e.g. the request or ticket number."),
    )

    def __init__(self, *args, parameter: Parameter, **kwargs):
        self.parameter = parameter
        kwargs.setdefault(
            "initial",
            {"value": parameter.value if parameter.type == ParamType.BOOL else value_as_text(parameter)},
        )
        super().__init__(*args, **kwargs)


def ParameterForm(*args, parameter: Parameter, **kwargs):
    """The edit form of one parameter, its value field typed by the parameter's type."""
    # A class per call: BootstrapMixin validates a bound form in __init__, so the field must be declared.
    cls = type("ParameterForm", (_ParameterFormBase,), {"value": _value_field(parameter)})
    return cls(*args, parameter=parameter, **kwargs)


# --- dictionaries ---------------------------------------------------------------------------
class DictTypeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("config", "Code"),
        max_length=50,
        help_text=_("Letters, digits, hyphens and underscores; used by programs, cannot change."),
    )
    name = forms.CharField(label=pgettext_lazy("config", "Chinese name"), max_length=100)
    name_en = forms.CharField(
        label=pgettext_lazy("config", "English name (optional)"), max_length=100, required=False
    )
    description = forms.CharField(
        label=pgettext_lazy("config", "Description"), max_length=255, required=False
    )


class DictItemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=pgettext_lazy("config", "Code"), max_length=50)
    label = forms.CharField(label=pgettext_lazy("config", "Chinese label"), max_length=100)
    label_en = forms.CharField(
        label=pgettext_lazy("config", "English label (optional)"), max_length=100, required=False
    )
    sort_order = forms.IntegerField(
        label=pgettext_lazy("config", "Sort"), initial=0, min_value=-1_000_000, max_value=1_000_000
    )
    parent = forms.CharField(
        label=pgettext_lazy("config", "Parent item code"),
        max_length=50,
        required=False,
        help_text=_("Leave empty for a top-level item."),
    )
    is_active = forms.BooleanField(label=pgettext_lazy("config", "Active"), required=False, initial=True)

    def __init__(self, *args, dict_type, item=None, **kwargs):
        self.dict_type = dict_type
        self.item = item
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": item.code,
                    "label": item.label,
                    "label_en": item.label_en,
                    "sort_order": item.sort_order,
                    "parent": item.parent.code if item.parent_id else "",
                    "is_active": item.is_active,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_parent(self):
        code = (self.cleaned_data.get("parent") or "").strip()
        if not code:
            return None
        parent = queries.dict_item_by_code(self.dict_type, code)
        if parent is None:
            raise ValidationError(
                _("This dictionary has no item with code %(code)s."), code="not_found", params={"code": code}
            )
        return parent


class DictItemEditForm(DictItemForm):
    # An item's code is referenced by data elsewhere: shown, never taken from the request. Declared
    # here (not switched off in __init__) because BootstrapMixin validates a bound form in __init__.
    code = forms.CharField(
        label=pgettext_lazy("config", "Code"),
        max_length=50,
        required=False,
        disabled=True,
        help_text=_("The code of an existing item cannot change."),
    )


def dict_item_form(*args, dict_type, item=None, **kwargs) -> DictItemForm:
    cls = DictItemForm if item is None else DictItemEditForm
    return cls(*args, dict_type=dict_type, item=item, **kwargs)


# --- calendars ------------------------------------------------------------------------------
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _minutes(h: str, m: str, *, end: bool, text: str) -> int:
    hours, minutes = int(h), int(m)
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise ValidationError(
            _("%(time)s is not a valid time of day."), code="invalid_time", params={"time": text}
        )
    return hours * 60 + minutes


def _hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def parse_day_hours(text: str) -> list[list[str]]:
    """'09:00-12:00, 13:30-18:00' → [["09:00", "12:00"], ["13:30", "18:00"]]; empty text is a day off."""
    normal = unicodedata.normalize("NFKC", text or "")
    for dash in ("–", "—", "~", "至", "到"):
        normal = normal.replace(dash, "-")
    parts = [p.strip() for p in re.split(r"[,;、]|\s{2,}|\n", normal) if p.strip()]
    spans = []
    for part in parts:
        m = _RANGE.match(part)
        if not m:
            raise ValidationError(
                _("“%(part)s” is not a time range; write HH:MM-HH:MM, for example 09:00-12:00."),
                code="invalid",
                params={"part": part},
            )
        start = _minutes(m[1], m[2], end=False, text=f"{m[1]}:{m[2]}")
        end = _minutes(m[3], m[4], end=True, text=f"{m[3]}:{m[4]}")
        if end <= start:
            raise ValidationError(
                _(
                    "%(part)s ends before it starts. Split hours across midnight into two days, "
                    "for example 22:00-24:00 and 00:00-06:00 on the next day."
                ),
                code="order",
                params={"part": part},
            )
        spans.append((start, end))
    spans.sort()
    for (a1, b1), (a2, b2) in itertools.pairwise(spans):
        if a2 < b1:
            raise ValidationError(
                _("%(first)s and %(second)s overlap."),
                code="overlap",
                params={"first": f"{_hhmm(a1)}-{_hhmm(b1)}", "second": f"{_hhmm(a2)}-{_hhmm(b2)}"},
            )
    return [[_hhmm(a), _hhmm(b)] for a, b in spans]


def format_day_hours(spans) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans or [])


def _weekday_field(day: int) -> forms.CharField:
    return forms.CharField(
        label=WEEKDAYS[day - 1],
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": pgettext_lazy("config", "day off"), "autocomplete": "off"}
        ),
    )


class CalendarForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("config", "Chinese name"), max_length=100)
    name_en = forms.CharField(
        label=pgettext_lazy("config", "English name (optional)"), max_length=100, required=False
    )
    observe_holidays = forms.BooleanField(
        label=_("Observe public holidays and make-up working days"),
        required=False,
        help_text=_("Off for round-the-clock services that work on holidays too."),
    )
    mon = _weekday_field(1)
    tue = _weekday_field(2)
    wed = _weekday_field(3)
    thu = _weekday_field(4)
    fri = _weekday_field(5)
    sat = _weekday_field(6)
    sun = _weekday_field(7)

    def __init__(self, *args, calendar=None, **kwargs):
        if calendar is not None:
            initial = {
                "name": calendar.name,
                "name_en": calendar.name_en,
                "observe_holidays": calendar.observe_holidays,
            }
            for day, field in WEEKDAY_FIELDS:
                initial[field] = format_day_hours((calendar.weekly_hours or {}).get(str(day)))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def weekday_fields(self):
        return [self[field] for _day, field in WEEKDAY_FIELDS]

    def clean(self):
        data = super().clean()
        weekly = {}
        for day, field in WEEKDAY_FIELDS:
            if field not in data:
                continue  # already failed its own field validation
            try:
                spans = parse_day_hours(data[field])
            except ValidationError as exc:
                self.add_error(field, exc)
                continue
            if spans:
                weekly[str(day)] = spans
        data["weekly_hours"] = weekly
        return data


class HolidayForm(BootstrapMixin, forms.Form):
    date = forms.DateField(
        label=pgettext_lazy("config", "Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    name = forms.CharField(
        label=pgettext_lazy("config", "Holiday name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": pgettext_lazy("config", "e.g. National Day")}),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("config", "Kind"), choices=HolidayKind.choices, initial=HolidayKind.HOLIDAY
    )


class DeadlineForm(BootstrapMixin, forms.Form):
    calendar = forms.ModelChoiceField(
        label=pgettext_lazy("config", "Calendar"), queryset=queries.calendar_list(), empty_label=None
    )
    start = forms.DateTimeField(
        label=pgettext_lazy("config", "Start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(
        label=pgettext_lazy("config", "Working minutes"),
        min_value=0,
        max_value=MAX_DEADLINE_MINUTES,
        help_text=_("480 minutes = one 8-hour working day."),
    )

    @staticmethod
    def default_initial(default_code: str) -> dict:
        now = timezone.localtime().replace(second=0, microsecond=0)
        cal = queries.calendar_list().filter(code=default_code).first()
        return {"calendar": cal, "start": now.replace(tzinfo=None), "minutes": 240}


def _clock(hhmm) -> int:
    """Minutes since midnight of "HH:MM" ("24:00" → 1440); 0 for anything unreadable."""
    if hhmm == "24:00":
        return 1440
    try:
        t = time.fromisoformat(hhmm)
    except (TypeError, ValueError):
        return 0
    return t.hour * 60 + t.minute


def weekly_rows(calendar) -> list[dict]:
    """Monday..Sunday with their intervals and hours, for the weekly-hours table."""
    rows = []
    for day, _field in WEEKDAY_FIELDS:
        spans = (calendar.weekly_hours or {}).get(str(day)) or []
        minutes = sum(max(0, _clock(b) - _clock(a)) for a, b in spans)
        rows.append(
            {
                "day": day,
                "label": WEEKDAYS[day - 1],
                "spans": [f"{a}–{b}" for a, b in spans],
                "hours": minutes / 60,
            }
        )
    return rows
