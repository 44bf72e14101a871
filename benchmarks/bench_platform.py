"""Platform benchmarks: scoped lists, blind-index lookup, cached parameters, PII crypto.

``prepare`` builds the demo org tree (through actions) and loads ``ctx.users`` staff with
``copy_rows`` (COPY on PostgreSQL), spread over the branches and teams, with encrypted ID numbers.
Baselines are the same work done the shortest way on the same connection: hand-written SQL,
one SELECT per read, HMAC alone.
"""

from __future__ import annotations

import json

from django.db import connection, transaction

from benchmarks.harness import Context, Figure, compare

PAGE = 25


def prepare(ctx: Context) -> str:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from telcrm.platform import demo
    from telcrm.platform.models import OrgKind, Role, User

    rng = ctx.rng
    with transaction.atomic():
        units = demo.ensure_org_tree(rng)
    roles = dict(Role.objects.values_list("code", "id"))
    branches = [u for u in units.values() if u.kind == OrgKind.BRANCH]
    teams = [u for u in units.values() if u.kind == OrgKind.TEAM]
    fake = demo.faker(rng)
    now = timezone.now()
    unusable = make_password(None)  # one unusable hash for all: hashing is not what is measured

    def rows():
        for i in range(ctx.users):
            if i % 5:  # four in five at a counter, the rest in teams
                unit, role = branches[i % len(branches)], "clerk"
            else:
                unit, role = teams[i % len(teams)], "installer"
            row = list(
                demo.staff_row(
                    rng,
                    fake,
                    username=f"u{i:07d}",
                    employee_no=f"B{i:07d}",
                    org_unit_id=unit.pk,
                    role_id=roles[role],
                    id_region="330106",
                    now=now,
                )
            )
            row[0] = unusable
            yield row

    with transaction.atomic():
        loaded = demo.copy_rows(User, demo.USER_COLUMNS, rows())
        branch = units["ZJ-HZ-B01"]
        manager = User.objects.create(
            username="bench_manager", full_name="营业厅经理", org_unit=branch, role_id=roles["branch_manager"]
        )
        admin = User.objects.create(
            username="bench_admin", full_name="管理员", org_unit=units["HQ"], role_id=roles["admin"]
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh statistics, as a live database would have
    probe = User.objects.filter(username=f"u{ctx.users // 2:07d}").first() if ctx.users else admin
    ctx.state.update(
        manager=User.objects.select_related("role", "org_unit").get(pk=manager.pk),
        admin=User.objects.select_related("role", "org_unit").get(pk=admin.pk),
        branch=branch,
        probe=probe,
        probe_id=probe.id_number.reveal_unaudited() if probe.id_number else "",
    )
    in_branch = User.objects.filter(org_unit=branch).count()
    return f"{loaded:,} users loaded with copy_rows; {in_branch:,} in the branch manager's branch"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model, alias: str) -> str:
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def _user_select(where: str, tail: str) -> str:
    """SELECT of users with their org unit and role — the columns the ORM's select_related reads."""
    from telcrm.platform.models import OrgUnit, Role, User

    return (
        f"SELECT {_columns(User, 'u')}, {_columns(OrgUnit, 'o')}, {_columns(Role, 'r')} "
        f"FROM {_table(User)} u JOIN {_table(OrgUnit)} o ON o.id = u.org_unit_id "
        f"LEFT JOIN {_table(Role)} r ON r.id = u.role_id WHERE {where} {tail}"
    )


def bench_scoped_user_list(ctx: Context) -> list[Figure]:
    """(a) The first page of the user list for a branch manager (subtree scope): count + 25 rows."""
    from telcrm.platform.models import OrgUnit, User
    from telcrm.platform.queries import user_list

    manager = ctx.state["manager"]

    def orm():
        qs = user_list(manager)
        total = qs.count()
        rows = [(u.username, u.full_name, u.org_unit.name, u.role.name if u.role else "") for u in qs[:PAGE]]
        return total, rows

    prefix = manager.org_unit.path + "%"
    scope = f"u.org_unit_id IN (SELECT id FROM {_table(OrgUnit)} WHERE path LIKE %s)"
    count_sql = f"SELECT COUNT(*) FROM {_table(User)} u WHERE {scope}"
    page_sql = _user_select(scope, f"ORDER BY u.username, u.id LIMIT {PAGE}")

    def raw():
        with connection.cursor() as cur:
            cur.execute(count_sql, [prefix])
            total = cur.fetchone()[0]
            cur.execute(page_sql, [prefix])
            return total, cur.fetchall()

    return [
        compare(
            "platform.user_list",
            f"branch manager, page 1 ({PAGE} rows + count)",
            orm,
            raw,
            baseline_name="raw SQL",
            number=50,
            repeat=ctx.repeat,
        )
    ]


def bench_id_number_lookup(ctx: Context) -> list[Figure]:
    """(b) Exact ID-number search through the blind index (HMAC + indexed equality).

    The baseline is the same SELECT (same joins and order) with the index value computed beforehand.
    """
    from telcrm.platform import crypto
    from telcrm.platform.queries import user_by_id_number

    admin, id_number = ctx.state["admin"], ctx.state["probe_id"]
    bidx = crypto.blind_index(crypto.normalize(id_number), context="platform.User.id_number")
    sql = _user_select("u.id_number_bidx = %s", "ORDER BY u.username, u.id")

    def orm():
        return list(user_by_id_number(admin, id_number))

    def raw():
        with connection.cursor() as cur:
            cur.execute(sql, [bidx])
            return cur.fetchall()

    return [
        compare(
            "platform.user_by_id_number",
            f"1 match among {ctx.users:,}",
            orm,
            raw,
            baseline_name="raw SQL on the index",
            number=200,
            repeat=ctx.repeat,
        )
    ]


def bench_parameter_reads(ctx: Context) -> list[Figure]:
    """(c) param() through the shared cache vs one SELECT per read."""
    from django.conf import settings

    from telcrm.platform.models import Parameter
    from telcrm.platform.parameters import param

    sql = f"SELECT value FROM {_table(Parameter)} WHERE {connection.ops.quote_name('key')} = %s"

    def cached():
        return param("ui.page_size")

    def raw():
        with connection.cursor() as cur:
            cur.execute(sql, ["ui.page_size"])
            value = cur.fetchone()[0]
        return json.loads(value) if isinstance(value, str) else value

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [
        compare(
            "platform.param",
            f"one read ({backend})",
            cached,
            raw,
            baseline_name="SELECT per read",
            number=500,
            repeat=ctx.repeat,
        )
    ]


def bench_pii_crypto(ctx: Context) -> list[Figure]:
    """(d) Encrypting and decrypting one ID number (AES-256-GCM) vs computing its blind index only."""
    from telcrm.platform import crypto

    value, context = ctx.state["probe_id"] or "330106199001011234", "platform.User.id_number"

    def aes():
        return crypto.decrypt(crypto.encrypt(value, context=context), context=context)

    def hmac_only():
        return crypto.blind_index(value, context=context)

    return [
        compare(
            "platform.crypto",
            "encrypt + decrypt one ID number",
            aes,
            hmac_only,
            baseline_name="HMAC blind index",
            number=2000,
            repeat=ctx.repeat,
        )
    ]
