"""EncryptedField: a column whose plaintext never reaches the database.

On the model instance the value is a :class:`Sealed` object: ``str()`` gives the masked form, so a
template or serializer that forgets about PII shows ``110***********1234``; the plaintext is only
returned by ``platform.actions.pii_reveal`` (which checks the permission and writes the audit row).
Assigning a plain ``str`` sets a new value; saving encrypts it and fills the blind-index column.
"""

from __future__ import annotations

from django.db import models

from .. import crypto


class Sealed:
    __slots__ = ("_context", "_mask", "_token")

    def __init__(self, token: str, *, context: str, mask: str):
        self._token = token
        self._context = context
        self._mask = mask

    def __bool__(self) -> bool:
        return bool(self._token)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Sealed {self.masked}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other._token == self._token

    def __hash__(self) -> int:
        return hash(self._token)

    @property
    def ciphertext(self) -> str:
        return self._token

    @property
    def masked(self) -> str:
        if not self._token:
            return ""
        return crypto.MASKS[self._mask](self.reveal_unaudited())

    def reveal_unaudited(self) -> str:
        """Plaintext. Call only from platform.actions.pii_reveal or code that never shows it to a user."""
        if not self._token:
            return ""
        return crypto.decrypt(self._token, context=self._context)


class EncryptedField(models.TextField):
    def __init__(self, *args, index_field: str | None = None, mask: str = "id_number", **kwargs):
        self.index_field = index_field
        self.mask = mask
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["index_field"] = self.index_field
        kwargs["mask"] = self.mask
        kwargs.pop("default", None)
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label}.{self.attname}"

    def _seal(self, token: str) -> Sealed:
        return Sealed(token, context=self.context, mask=self.mask)

    def from_db_value(self, value, expression, connection):
        return self._seal(value or "")

    def to_python(self, value):
        if isinstance(value, Sealed) or value is None:
            return value
        return value  # a new plaintext, encrypted on save

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, Sealed):
            if not value or crypto.key_id_of(value.ciphertext) == crypto.keys()[0].key_id:
                return value.ciphertext
            value = value.reveal_unaudited()  # written under an older key: re-encrypt and re-index
        plaintext = crypto.normalize(value or "") if self.mask == "id_number" else (value or "").strip()
        token = crypto.encrypt(plaintext, context=self.context) if plaintext else ""
        if self.index_field:
            setattr(model_instance, self.index_field, crypto.blind_index(plaintext, context=self.context))
        setattr(model_instance, self.attname, self._seal(token))
        return token

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.ciphertext
        if value and not crypto.is_ciphertext(value):
            raise ValueError("EncryptedField values are compared through the blind index, not in plaintext")
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.ciphertext if isinstance(value, Sealed) else ""
