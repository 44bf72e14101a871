"""Users, roles and the data scope each role grants."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Permission, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import BilingualNameMixin
from .fields import EncryptedField
from .scoped import ScopedQuerySet


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    SUBTREE = "subtree", _("My organisation subtree")
    ALL = "all", _("All")


class Role(BilingualNameMixin, models.Model):
    """A job role (岗位角色): what a user may do (permissions) and which rows they see (scope)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    data_scope = models.CharField(
        _("data scope"), max_length=16, choices=DataScope.choices, default=DataScope.OWN
    )
    home_url_name = models.CharField(
        _("home page"), max_length=64, default="home", help_text=_("URL name of the role's home page")
    )
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="+"
    )
    is_system = models.BooleanField(_("built-in"), default=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name


class UserQuerySet(ScopedQuerySet):
    scope_owner_field = "pk"  # at "own" scope a user sees only themselves


class TelcrmUserManager(UserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Every user belongs to one org unit and holds one role."""

    username = models.CharField(
        _("username"),
        max_length=64,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=100)
    employee_no = models.CharField(_("employee number"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    # Staff ID-card number (实名): encrypted at rest, exact lookup through the blind index.
    id_number = EncryptedField(_("ID number"), blank=True, index_field="id_number_bidx")
    id_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TelcrmUserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [
            ("reveal_pii", _("Can reveal masked personal data")),
            ("view_audit", _("Can search the audit log")),
            ("manage_platform", _("Can administer org units, users and roles")),
            ("manage_parameters", _("Can edit parameters, dictionaries and calendars")),
            ("view_jobs_all", _("Can see every background job")),
            ("export_data", _("Can export lists")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @property
    def data_scope(self) -> str:
        if self.is_superuser:
            return DataScope.ALL
        return self.role.data_scope if self.role_id else DataScope.OWN
