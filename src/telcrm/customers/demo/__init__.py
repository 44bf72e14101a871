"""Demo customers: ``manage.py demo_data --customers N`` (default 20,000; tested to 10,000,000).

Believable customers of the demo carrier spread over its 18 branches: ~85% individuals (Faker
zh_CN names, 18-digit resident ID numbers with a correct check digit, born 1950–2006 in a district
of the demo cities), ~15% enterprises with unified social credit codes, some of them members of
group customers (集团); contact media with consent and do-not-disturb flags, addresses, tags, key
people of enterprises, 1–3 billing accounts (balances, some arrears), 1–4 lines (MSISDN, ICCID,
offer), value tier / loyalty / behaviour / credit level, a two-year interaction timeline and a few
blacklist entries. Each customer is owned by a clerk (individuals) or the account manager
(enterprises) of its branch; the demo ``clerk`` and ``am`` own a good share of 西湖文三路营业厅
(ZJ-HZ-B01), so their "own records" scope shows a populated list.

How it scales
    Customers are made in fixed chunks of :data:`CHUNK` numbered from 0, each from its own
    ``random.Random(seed, chunk)``, so the data of customer *i* depends only on ``--seed`` and *i* —
    not on N, on a previous run, or on which process made it. Numbers that must be unique
    (customer/account numbers, MSISDN, ICCID, the birth date + sequence of ID numbers, the body of
    credit codes) are permutations of *i*, never drawn at random, so 10M customers need no
    "already used?" set in memory. Chunks are generated in worker processes (``TELCRM_DEMO_WORKERS``;
    by default one per CPU for large volumes, with a bounded number of chunks in flight) and
    loaded in order by the main process through :func:`telcrm.platform.demo.copy_rows` (COPY on
    PostgreSQL); primary keys are assigned from a base read once, so children need no look-ups.
    PII is encrypted exactly as ``EncryptedField`` stores it (context ``customers.<Model>.<field>``,
    blind index of the normalised value); encryption is most of the CPU cost.

Idempotence
    Demo customers have numbers ``C571xxxxxxxx`` (``C`` + 11 digits). A run counts the ones that
    exist and generates only customers ``existing … N-1``: a second run adds nothing, a larger N
    tops up. ``--reset`` deletes them (and what hangs off them) unless other data refers to them.
"""

from __future__ import annotations

import random

from telcrm.platform.demo import demo_generator

from .data import (
    ACCOUNT_COLUMNS,
    ACCOUNT_PREFIX,
    ACCOUNTS_PER_CUSTOMER,
    ADDRESS_COLUMNS,
    ALL_REGIONS,
    BLACKLIST_COLUMNS,
    BLACKLIST_REASONS,
    CHUNK,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    CUSTOMER_COLUMNS,
    CUSTOMER_PREFIX,
    DISTRICT_AREA,
    DISTRICTS,
    ESTATE_SUFFIXES,
    ESTATES,
    GROUP_OFFERS,
    INTERACTION_COLUMNS,
    INTERACTION_WEIGHTS,
    INTERACTIONS,
    LINES_PER_CUSTOMER,
    MAIL_DOMAINS,
    MAX_CUSTOMERS,
    MEDIUM_COLUMNS,
    MEDIUM_CTX,
    MODERN_FEMALE,
    MODERN_MALE,
    MSISDN_PREFIXES,
    OFFERS,
    OTHER_MOBILE_PREFIXES,
    PARTY_COLUMNS,
    PARTY_ID,
    PERSON_COLUMNS,
    PERSON_PHONE_CTX,
    PHONE_CTX,
    SCOPED,
    SUBSCRIPTION_COLUMNS,
    TAG_COLUMNS,
    TAGS,
    TITLES,
    TRADES,
    tables,
)
from .loader import (
    _WORKER as _WORKER,
)
from .loader import (
    _defaulted as _defaulted,
)
from .loader import (
    _search_text_function as _search_text_function,
)
from .loader import (
    _worker_chunk as _worker_chunk,
)
from .loader import (
    _worker_init as _worker_init,
)
from .loader import chunks, default_workers, existing_demo_customers, load_customers, reset_customers
from .plan import Branch, Plan, build_plan, ensure_tags
from .rows import generate_chunk
from .values import (
    _BEHAVIOUR as _BEHAVIOUR,
)
from .values import (
    _BEHAVIOUR_CUM as _BEHAVIOUR_CUM,
)
from .values import (
    _CREDIT_CUM as _CREDIT_CUM,
)
from .values import (
    _GROUP_OFFER_CUM as _GROUP_OFFER_CUM,
)
from .values import (
    _ID_CHECK as _ID_CHECK,
)
from .values import (
    _ID_WEIGHTS as _ID_WEIGHTS,
)
from .values import (
    _INTERACTION_CUM as _INTERACTION_CUM,
)
from .values import (
    _NAMES as _NAMES,
)
from .values import (
    _OFFER_CUM as _OFFER_CUM,
)
from .values import (
    _ORG_WEIGHTS as _ORG_WEIGHTS,
)
from .values import (
    _PERMS as _PERMS,
)
from .values import (
    _TIER_CUM as _TIER_CUM,
)
from .values import (
    _TIER_CUM_ENTERPRISE as _TIER_CUM_ENTERPRISE,
)
from .values import (
    _TIERS as _TIERS,
)
from .values import (
    BIRTH_DAYS,
    BIRTH_FIRST,
    ICCID_SPACE,
    ID_SPACE,
    MSISDN_SPACE,
    ORG_SPACE,
    Permutation,
    account_no,
    credit_code,
    customer_index,
    customer_no,
    iccid,
    id_check_digit,
    msisdn,
    resident_id,
)
from .values import (
    _names as _names,
)
from .values import (
    _weighted as _weighted,
)

__all__ = [
    "ACCOUNTS_PER_CUSTOMER",
    "ACCOUNT_COLUMNS",
    "ACCOUNT_PREFIX",
    "ADDRESS_COLUMNS",
    "ALL_REGIONS",
    "BIRTH_DAYS",
    "BIRTH_FIRST",
    "BLACKLIST_COLUMNS",
    "BLACKLIST_REASONS",
    "CHUNK",
    "COMPANY_SUFFIXES",
    "COMPANY_WORDS",
    "CUSTOMER_COLUMNS",
    "CUSTOMER_PREFIX",
    "DISTRICTS",
    "DISTRICT_AREA",
    "ESTATES",
    "ESTATE_SUFFIXES",
    "GROUP_OFFERS",
    "ICCID_SPACE",
    "ID_SPACE",
    "INTERACTIONS",
    "INTERACTION_COLUMNS",
    "INTERACTION_WEIGHTS",
    "LINES_PER_CUSTOMER",
    "MAIL_DOMAINS",
    "MAX_CUSTOMERS",
    "MEDIUM_COLUMNS",
    "MEDIUM_CTX",
    "MODERN_FEMALE",
    "MODERN_MALE",
    "MSISDN_PREFIXES",
    "MSISDN_SPACE",
    "OFFERS",
    "ORG_SPACE",
    "OTHER_MOBILE_PREFIXES",
    "PARTY_COLUMNS",
    "PARTY_ID",
    "PERSON_COLUMNS",
    "PERSON_PHONE_CTX",
    "PHONE_CTX",
    "SCOPED",
    "SUBSCRIPTION_COLUMNS",
    "TAGS",
    "TAG_COLUMNS",
    "TITLES",
    "TRADES",
    "Branch",
    "Permutation",
    "Plan",
    "account_no",
    "build_plan",
    "chunks",
    "credit_code",
    "customer_index",
    "customer_no",
    "customers_demo",
    "default_workers",
    "ensure_tags",
    "existing_demo_customers",
    "generate_chunk",
    "iccid",
    "id_check_digit",
    "load_customers",
    "msisdn",
    "reset_customers",
    "resident_id",
    "tables",
]


@demo_generator(order=20, name="customers", reset=reset_customers)
def customers_demo(*, stdout, customers: int, rng: random.Random) -> None:
    if not customers:
        stdout.write("  customers: none requested")
        return
    seed = rng.getrandbits(64)
    step = max(CHUNK, customers // 20 // CHUNK * CHUNK)

    def progress(done: int, total: int) -> None:
        if done % step < CHUNK or done == total:
            stdout.write(f"  customers: {done:,}/{total:,}")

    before = existing_demo_customers()
    loaded = load_customers(count=customers, seed=seed, progress=progress)
    if not loaded["customer"]:
        stdout.write(f"  customers: {before:,} demo customers exist already; nothing added")
        return
    stdout.write(
        "  customers: "
        + ", ".join(f"{n:,} {key}" for key, n in loaded.items())
        + f" rows (now {customers:,})"
    )
