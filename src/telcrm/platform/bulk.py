"""Writing many new rows at once: primary keys reserved in one statement, rows streamed with COPY.

Actions that register thousands of records in one transaction (the customer import) build model
instances as ``save()`` would, then hand them to :func:`insert_many`: every field's ``pre_save`` runs
(encryption and blind indexes of ``EncryptedField``, ``auto_now``/``auto_now_add`` timestamps), the
primary keys come from the table's own sequence, the rows go to PostgreSQL as one ``COPY … FROM
STDIN`` per table (SQLite: batched ``executemany``), and models with django-simple-history get the
"created" history row that ``save()`` would have written. No signals are sent; the caller writes the
audit records (``auditing.audit_write_many``).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from .models.fields import EncryptedField


def copy_rows(model, columns: Sequence[str], rows, *, batch_size: int = 2000, prepared: bool = False) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the row count.

    ``columns`` are field names or attnames (``org_unit`` or ``org_unit_id``). Values are what the
    model would store: ciphertext for encrypted fields (``crypto.encrypt``) plus the blind index,
    explicit timestamps (``auto_now`` is not applied), every NOT NULL column given. Each value goes
    through the field's ``get_db_prep_save``, then PostgreSQL receives one ``COPY … FROM STDIN``
    stream; SQLite gets batched ``executemany`` INSERTs (not ``bulk_create``, whose ``pre_save``
    would re-encrypt ciphertext and overwrite timestamps, so both engines store the same values).
    No signals, audit or history rows are written. ``prepared=True``: the values are in database
    form already (strings, ints, bools, prepared timestamps) and go as they are — at millions of rows
    the per-value preparation costs more than the insert. Database errors arrive as Django's
    (``IntegrityError`` …) on both engines.
    """
    fields = [model._meta.get_field(c) for c in columns]
    table = model._meta.db_table
    conn = connections[DEFAULT_DB_ALIAS]
    prepare = (lambda row: row) if prepared else row_preparer(model, columns)

    n = 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            from psycopg import sql

            stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
            )
            # the raw psycopg cursor: its errors are turned into Django's (IntegrityError …) here
            with conn.wrap_database_errors, cursor.cursor.copy(stmt) as copy:
                for row in rows:
                    copy.write_row(prepare(row))
                    n += 1
            return n
        qn = conn.ops.quote_name
        stmt = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - identifiers quoted, values bound
            qn(table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )
        batch: list[list] = []
        for row in rows:
            batch.append(prepare(row))
            if len(batch) >= batch_size:
                cursor.executemany(stmt, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(stmt, batch)
            n += len(batch)
    return n


# Fields whose database value is the Python value itself when it already has the field's type: for
# these the ``get_db_prep_save`` chain (to_python, int(), str()) is skipped for such values.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.AutoField,
    models.BigAutoField,
)
_PLAIN_TYPES = {str, int, bool, type(None)}


def _plain(field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _plain(field.target_field)
    if isinstance(field, EncryptedField) or not isinstance(field, _PLAIN_FIELDS):
        return False
    # a subclass that prepares values its own way is not plain (IntegerField's own step only adapts
    # the value for backends other than PostgreSQL and SQLite)
    cls = type(field)
    return cls.get_db_prep_save is models.Field.get_db_prep_save and cls.get_db_prep_value in (
        models.Field.get_db_prep_value,
        models.IntegerField.get_db_prep_value,
        models.AutoField.get_db_prep_value,  # AutoFieldMixin's: validates the key, an int here
    )


# On PostgreSQL these go to psycopg as they are: Django's preparation of them (``to_python``, the
# backend's ``adapt_*_value``) returns the same object there. SQLite needs them turned into text.
_PG_NATIVE = (
    (models.DateTimeField, lambda v: isinstance(v, datetime.datetime) and v.tzinfo is not None),
    (models.DateField, lambda v: type(v) is datetime.date),
    (models.DecimalField, lambda v: type(v) is decimal.Decimal),
    (models.UUIDField, lambda v: type(v) is uuid.UUID),
)


def _preparer(field, conn):
    slow = field.get_db_prep_save
    plain = _PLAIN_TYPES
    if _plain(field):
        return lambda v: v if type(v) in plain else slow(v, conn)
    native = _native_check(field) if conn.vendor == "postgresql" else None
    if native is not None:
        return lambda v: v if v is None or native(v) else slow(v, conn)
    return lambda v: slow(v, conn)


def _native_check(field):
    cls = type(field)
    for base, check in _PG_NATIVE:
        # only the stock fields: a subclass may prepare its values its own way
        if cls is base or (cls.__module__.startswith("django.") and issubclass(cls, base)):
            if base is models.DateField and issubclass(cls, models.DateTimeField):
                continue
            return check
    return None


def row_preparer(model, columns: Sequence[str]):
    """A function turning a tuple of ``columns`` values (as the model holds them) into database values:
    each field's ``get_db_prep_save``, skipped where the value already is what the database takes."""
    conn = connections[DEFAULT_DB_ALIAS]
    # the real connection, bound once: every value's preparation reads ``connection.ops``/``features``,
    # and through the ``django.db.connection`` proxy each read is an asgiref Local lookup
    prep = [_preparer(model._meta.get_field(c), conn) for c in columns]
    width = len(prep)

    def prepare(row):
        if len(row) != width:
            raise ValueError(f"row has {len(row)} values for {width} columns")
        return [p(v) for p, v in zip(prep, row, strict=True)]

    return prepare


def reserve_ids(model, count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, taken from its sequence (PostgreSQL) or past its
    highest id (SQLite, whose writing transactions are serialised: ``transaction_mode`` IMMEDIATE)."""
    if count <= 0:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    table, pk = model._meta.db_table, model._meta.pk.column
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [conn.ops.quote_name(table), pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = conn.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # noqa: S608 - quoted names
        last = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(last, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _insert_fields(model) -> list[models.Field]:
    # encrypted fields first: their pre_save sets the blind index field read after them
    fields = [f for f in model._meta.concrete_fields]
    return sorted(fields, key=lambda f: not isinstance(f, EncryptedField))


@dataclass
class Prepared:
    """Rows of one model ready for COPY (:func:`prepare_many`), written by :func:`write_prepared`."""

    model: type[models.Model]
    columns: list[str]
    rows: list[list]
    actor: object = None
    history: bool = True

    def without(self, drop: set[int]) -> Prepared:
        """The same rows less those whose primary key is in ``drop``."""
        at = self.columns.index(self.model._meta.pk.attname)
        kept = [r for r in self.rows if r[at] not in drop]
        return Prepared(self.model, self.columns, kept, self.actor, self.history)


def assign_ids(objs: Sequence[models.Model]) -> None:
    """Reserve primary keys (:func:`reserve_ids`) for the instances that have none yet."""
    if not objs:
        return
    missing = [o for o in objs if o.pk is None]
    for obj, pk in zip(missing, reserve_ids(type(objs[0]), len(missing)), strict=True):
        obj.pk = pk


def prepare_many(objs: Sequence[models.Model], *, actor=None, history: bool = True) -> Prepared:
    """The database rows of new instances of one model, as ``save()`` would store them: primary keys
    reserved, every field's ``pre_save`` run (encryption, blind indexes, timestamps), each value in
    database form. Nothing is written; :func:`write_prepared` writes them (in any later transaction:
    the keys come from the sequence, which no rollback gives back)."""
    if not objs:
        return Prepared(models.Model, [], [], actor, history)
    model = type(objs[0])
    fields = _insert_fields(model)
    assign_ids(objs)
    columns = [f.attname for f in model._meta.concrete_fields]
    prepare = row_preparer(model, columns)
    rows = []
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(f"prepare_many: {type(obj).__name__} among {model.__name__} rows")
        values = {f.attname: f.pre_save(obj, True) for f in fields}
        rows.append(prepare([values[c] for c in columns]))
        obj._state.adding = False
    return Prepared(model, columns, rows, actor, history)


def write_prepared(prepared: Prepared) -> int:
    """Insert prepared rows with one COPY, and with ``history`` their "+" history rows; the row count."""
    if not prepared.rows:
        return 0
    model = prepared.model
    n = copy_rows(model, prepared.columns, prepared.rows, prepared=True)
    manager = getattr(model, "history", None) if prepared.history else None
    if manager is not None and hasattr(manager, "model"):
        _history_rows(manager.model, prepared.columns, prepared.rows, prepared.actor)
    return n


def insert_many(objs: Sequence[models.Model], *, actor=None, history: bool = True) -> int:
    """Insert new instances of one model as ``save()`` would, in one COPY; returns the row count.

    Primary keys are reserved (``reserve_ids``) and set on the instances, so the caller can point
    child rows at them before inserting those. With ``history`` and a django-simple-history model,
    each row gets its "+" history row dated now, by ``actor``.
    """
    return write_prepared(prepare_many(objs, actor=actor, history=history))


def _history_rows(history_model, columns: list[str], rows: list[list], actor) -> None:
    """The "+" history row of each new row: the values already prepared for the table itself."""
    conn = connections[DEFAULT_DB_ALIAS]
    date = models.DateTimeField().get_db_prep_save(timezone.now(), conn)
    user_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    fixed = {"history_date": date, "history_type": "+", "history_user_id": user_id}
    own = {"history_change_reason", *fixed}
    at = {name: i for i, name in enumerate(columns)}
    history_columns = [
        f.attname for f in history_model._meta.concrete_fields if f.attname != "history_id"
    ]  # history_id: the table's own default
    picks = []
    for name in history_columns:
        if name in own:
            picks.append((None, fixed.get(name)))
        else:
            picks.append((at[name], None))
    history = [tuple(row[i] if i is not None else v for i, v in picks) for row in rows]
    copy_rows(history_model, history_columns, history, prepared=True)
