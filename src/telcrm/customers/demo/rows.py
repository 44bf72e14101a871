"""Demo customers' rows: the row tuples of every table for one chunk of customers."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from telcrm.platform import crypto

from .data import (
    ACCOUNTS_PER_CUSTOMER,
    ALL_REGIONS,
    BLACKLIST_REASONS,
    CHUNK,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    DISTRICT_AREA,
    DISTRICTS,
    ESTATE_SUFFIXES,
    ESTATES,
    GROUP_OFFERS,
    INTERACTIONS,
    LINES_PER_CUSTOMER,
    MAIL_DOMAINS,
    MEDIUM_CTX,
    MSISDN_PREFIXES,
    OFFERS,
    OTHER_MOBILE_PREFIXES,
    PARTY_ID,
    PERSON_PHONE_CTX,
    PHONE_CTX,
    TITLES,
    TRADES,
)
from .plan import Plan
from .values import (
    _BEHAVIOUR,
    _BEHAVIOUR_CUM,
    _CREDIT_CUM,
    _GROUP_OFFER_CUM,
    _INTERACTION_CUM,
    _OFFER_CUM,
    _TIER_CUM,
    _TIER_CUM_ENTERPRISE,
    _TIERS,
    _names,
    _weighted,
    account_no,
    credit_code,
    customer_no,
    iccid,
    msisdn,
    resident_id,
)


def generate_chunk(plan: Plan, chunk: int, search_text) -> dict[str, list]:
    """Rows of every table for the customers of ``chunk`` within [plan.start, plan.stop).

    Pure: depends on the plan and the chunk number only (encryption nonces aside)."""
    rng = random.Random(f"{plan.seed}:customers:{chunk}")  # noqa: S311 - demo data
    family, family_cum, male, female = _names()
    out = {key: [] for key in ("party", "customer", "medium", "address", "person", "account")}
    out.update({key: [] for key in ("subscription", "interaction", "blacklist", "tag")})
    out["fixups"] = []  # (row index in out["customer"], parent customer number) for parents made earlier
    tz, today = plan.tz, plan.today
    now = dt.datetime.combine(today, dt.time(6, 0), tzinfo=tz)
    first, last = chunk * CHUNK, (chunk + 1) * CHUNK
    group_left, group_index, group_branch = 0, None, None
    encrypt, bidx = crypto.encrypt, crypto.blind_index
    tag_ids = plan.tag_ids

    def moment(r: random.Random, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8 + r.randrange(11), r.randrange(60), r.randrange(60)), tz)

    for i in range(first, last):
        # Every customer consumes the same draws whether or not it is written, so a top-up that
        # starts mid-chunk reproduces exactly the customers a full run would have made.
        r = random.Random(rng.getrandbits(64))  # noqa: S311
        member_of = None
        if group_left:
            kind, member_of, branch = "enterprise", group_index, group_branch
            group_left -= 1
        else:
            x = r.random()
            kind = "individual" if x < 0.85 else "group" if x < 0.854 else "enterprise"
            branch = plan.branches[_weighted(r, plan.branch_cum_weights)]
            if i == 1 and plan.demo_branch >= 0:  # the demo account manager's group, members 2–6
                kind, branch = "group", plan.branches[plan.demo_branch]
            if kind == "group":
                group_left, group_index, group_branch = 5 if i == 1 else r.randint(2, 6), i, branch
        if not plan.start <= i < plan.stop:
            continue
        cid = plan.customer_base + i - plan.start
        pid = plan.party_base + i - plan.start
        pc, districts = DISTRICTS[branch.city_code]
        district, region, roads = districts[r.randrange(len(districts))]
        is_demo_branch = plan.demo_branch >= 0 and branch is plan.branches[plan.demo_branch]
        if kind == "individual":
            owner = (
                plan.demo_clerk
                if is_demo_branch and plan.demo_clerk and r.random() < 0.4
                else r.choice(branch.clerks)
            )
        elif is_demo_branch and plan.demo_am and r.random() < 0.7:
            owner = plan.demo_am
        else:
            owner = r.choice(branch.account_managers or branch.clerks)
        tenure = today - dt.timedelta(days=int(r.triangular(7, 365 * 22, 365 * 2)))
        if kind == "individual":
            birth_region = region if r.random() < 0.8 else ALL_REGIONS[r.randrange(len(ALL_REGIONS))]
            idn, birth, gender = resident_id(i, birth_region)
            adult = birth + dt.timedelta(days=16 * 365 + 4)  # a line of one's own from 16
            if tenure < adult:
                tenure = min(adult + dt.timedelta(days=r.randrange(900)), today - dt.timedelta(days=7))
        created = moment(r, tenure)
        status = "active" if (x := r.random()) < 0.95 else "suspended" if x < 0.98 else "closed"
        tier_i = _weighted(r, _TIER_CUM if kind == "individual" else _TIER_CUM_ENTERPRISE)
        tier = _TIERS[tier_i]
        years = (today - tenure).days / 365
        # --- party
        if kind == "individual":
            fam = family[_weighted(r, family_cum)]
            given = r.choice(male if gender == "m" else female)
            if len(given) == 1 and r.random() < 0.45:
                given += r.choice(male if gender == "m" else female)[0]
            name = fam + given
            out["party"].append(
                (
                    pid,
                    "individual",
                    name,
                    fam,
                    given,
                    gender,
                    birth,
                    "CHN",
                    "",
                    "",
                    "",
                    "id_card",
                    encrypt(idn, context=PARTY_ID),
                    bidx(idn, context=PARTY_ID),
                    created + dt.timedelta(minutes=3),
                    owner,
                    branch.org_unit_id,
                    owner,
                    created,
                    created,
                )
            )
        else:
            idn = credit_code(i, region)
            word, (trade, industry) = r.choice(COMPANY_WORDS), r.choice(TRADES)
            if kind == "group":
                name = f"浙江{word}{trade}集团有限公司"
            else:
                name = f"{branch.city_name}{word}{trade}{r.choice(COMPANY_SUFFIXES)}"
            legal = family[_weighted(r, family_cum)] + r.choice(male)
            out["party"].append(
                (
                    pid,
                    "organization",
                    name,
                    "",
                    "",
                    "",
                    None,
                    "CHN",
                    name.removesuffix("有限公司"),
                    legal,
                    industry,
                    "business_license",
                    encrypt(idn, context=PARTY_ID),
                    bidx(idn, context=PARTY_ID),
                    created + dt.timedelta(minutes=10),
                    owner,
                    branch.org_unit_id,
                    owner,
                    created,
                    created,
                )
            )
        # --- accounts and lines
        n_accounts = 1 if kind == "individual" and r.random() < 0.8 else r.choice((1, 2, 2, 3))
        if kind == "individual":
            n_lines = _weighted(r, (62, 86, 96, 100)) + 1
        else:
            n_lines = r.randint(1, LINES_PER_CUSTOMER)
        lines, total_fee = [], 0
        for k in range(n_lines):
            slot = i * LINES_PER_CUSTOMER + k
            if kind == "individual":
                code, offer, fee, _w = OFFERS[_weighted(r, _OFFER_CUM[tier_i])]
            else:
                code, offer, fee, _w = GROUP_OFFERS[_weighted(r, _GROUP_OFFER_CUM)]
            activated = moment(
                r, tenure + dt.timedelta(days=int((today - tenure).days * (k / 4) * r.random()))
            )
            sub_status = (
                "terminated"
                if status == "closed"
                else "suspended"
                if status == "suspended"
                else ("active" if r.random() < 0.93 else r.choice(("suspended", "terminated")))
            )
            commitment = None
            if r.random() < 0.35:
                commitment = (activated + dt.timedelta(days=365 * r.choice((1, 2)))).date()
            if sub_status == "active":
                total_fee += fee
            lines.append(
                (msisdn(slot), iccid(slot), code, offer, Decimal(fee), sub_status, activated, commitment)
            )
        phone = lines[0][0]
        arrears_total = Decimal(0)
        account_ids = []
        for k in range(n_accounts):
            aid = plan.account_base + (i - plan.start) * ACCOUNTS_PER_CUSTOMER + k
            account_ids.append(aid)
            arrears = (
                Decimal(r.randrange(1000, 80000 if kind == "individual" else 900000)).scaleb(-2)
                if (r.random() < (0.06 if status == "active" else 0.5))
                else Decimal(0)
            )
            balance = Decimal(0) if arrears else Decimal(r.randrange(0, 50000)).scaleb(-2)
            arrears_total += arrears
            limit = {"vip": 1000, "important": 300}.get(tier, 0) * (20 if kind != "individual" else 1)
            acct_status = "closed" if status == "closed" else "suspended" if arrears > 300 else "active"
            label = name if k == 0 else f"{name}（账户{k + 1}）"
            synced = now - dt.timedelta(minutes=r.randrange(60 * 24))
            out["account"].append(
                (
                    aid,
                    account_no(i, k),
                    cid,
                    label[:200],
                    acct_status,
                    balance,
                    arrears,
                    Decimal(limit),
                    r.choice((1, 1, 1, 8, 15, 21)),
                    synced,
                    branch.org_unit_id,
                    owner,
                    created,
                    created,
                )
            )
        for k, (num, icc, code, offer, fee, sub_status, activated, commitment) in enumerate(lines):
            out["subscription"].append(
                (
                    cid,
                    account_ids[k % n_accounts],
                    num,
                    icc,
                    code,
                    offer,
                    fee,
                    sub_status,
                    activated,
                    commitment,
                    branch.org_unit_id,
                    owner,
                    activated,
                    activated,
                )
            )
        # --- classification
        if status != "active" or not total_fee:
            loyalty = "potential"
        elif years >= 8:
            loyalty = "loyal" if r.random() < 0.6 else "old"
        elif years >= 2:
            loyalty = "old"
        else:
            loyalty = "new"
        credit = _weighted(r, _CREDIT_CUM) + 1
        if arrears_total:
            credit = min(credit, 2 if arrears_total > 300 else 3)
        blacklisted = kind == "individual" and r.random() < 0.003
        if blacklisted:
            credit = 1
        relation = (
            ("internal" if r.random() < 0.005 else "consumer")
            if kind == "individual"
            else ("channel" if r.random() < 0.02 else "b2b")
        )
        account_manager = None
        if kind != "individual" or tier == "vip":
            account_manager = (
                plan.demo_am
                if is_demo_branch and plan.demo_am and (owner == plan.demo_am or r.random() < 0.7)
                else (r.choice(branch.account_managers) if branch.account_managers else None)
            )
        parent = None
        if member_of is not None:
            if member_of >= plan.start:
                parent = plan.customer_base + member_of - plan.start
            else:
                out["fixups"].append((len(out["customer"]), customer_no(member_of)))
        number = customer_no(i)
        out["customer"].append(
            (
                cid,
                number,
                pid,
                kind,
                name,
                status,
                tier,
                loyalty,
                _BEHAVIOUR[_weighted(r, _BEHAVIOUR_CUM)],
                relation,
                credit,
                account_manager,
                parent,
                encrypt(phone, context=PHONE_CTX),
                bidx(phone, context=PHONE_CTX),
                search_text(name=name, customer_no=number),
                tenure,
                now - dt.timedelta(days=r.randrange(30), hours=r.randrange(24)),
                branch.org_unit_id,
                owner,
                created,
                created,
            )
        )
        # --- contact media (the primary mobile is the first line), addresses, key people
        media = [("mobile", phone, True)]
        if r.random() < 0.12:
            media.append(("mobile", f"{r.choice(OTHER_MOBILE_PREFIXES)}{r.randrange(10**8):08d}", False))
        if kind != "individual":
            media.append(("phone", f"{DISTRICT_AREA[branch.city_code]}8{r.randrange(10**7):07d}", False))
        if r.random() < (0.3 if kind == "individual" else 0.8):
            media.append(("email", f"{r.randrange(10**5, 10**10)}@{r.choice(MAIL_DOMAINS)}", False))
        if kind == "individual" and r.random() < 0.2:
            media.append(("wechat", f"wxid_{r.getrandbits(48):012x}", False))
        consent, dnd = r.random() < 0.62, r.random() < 0.08
        for mkind, value, primary in media:
            plain = value.strip()
            out["medium"].append(
                (
                    cid,
                    mkind,
                    encrypt(plain, context=MEDIUM_CTX),
                    bidx(plain, context=MEDIUM_CTX),
                    primary,
                    consent and not dnd,
                    dnd,
                    created + dt.timedelta(minutes=5) if mkind == "mobile" else None,
                )
            )
        road = r.choice(roads)
        if kind == "individual":
            street = (
                f"{road}{r.randrange(1, 600)}号{r.choice(ESTATES)}{r.choice(ESTATE_SUFFIXES)}"
                f"{r.randrange(1, 30)}幢{r.randrange(1, 5)}单元{r.randrange(1, 33)}{r.randrange(1, 5):02d}室"
            )
            out["address"].append(
                (
                    cid,
                    "home",
                    "浙江省",
                    branch.city_name + "市",
                    district,
                    street,
                    f"{pc}{r.randrange(10, 99)}",
                    True,
                )
            )
            if r.random() < 0.15:
                out["address"].append(
                    (
                        cid,
                        "install",
                        "浙江省",
                        branch.city_name + "市",
                        district,
                        street,
                        f"{pc}{r.randrange(10, 99)}",
                        False,
                    )
                )
        else:
            building = r.choice(("", "", "A座", "B座", "大厦"))
            street = f"{road}{r.randrange(1, 900)}号{building}{r.randrange(1, 30)}楼"
            out["address"].append(
                (
                    cid,
                    "office",
                    "浙江省",
                    branch.city_name + "市",
                    district,
                    street,
                    f"{pc}{r.randrange(10, 99)}",
                    True,
                )
            )
            out["address"].append(
                (
                    cid,
                    "billing",
                    "浙江省",
                    branch.city_name + "市",
                    district,
                    street,
                    f"{pc}{r.randrange(10, 99)}",
                    False,
                )
            )
            for k in range(r.randint(1, 2)):
                person_phone = f"{r.choice(MSISDN_PREFIXES)}{r.randrange(10**8):08d}"
                out["person"].append(
                    (
                        cid,
                        legal if k == 0 else family[_weighted(r, family_cum)] + r.choice(female),
                        "法定代表人" if k == 0 else r.choice(TITLES),
                        encrypt(person_phone, context=PERSON_PHONE_CTX),
                        f"contact{k + 1}.{number.lower()}@example.com",
                        k == 0,
                    )
                )
        # --- tags
        offers = {line[2] for line in lines}
        tags = set()
        if offers & {"5G-CX-128", "5G-CX-198", "5G-ZX-88", "ENT-5G-158", "ENT-CX-128", "QQT-288"}:
            tags.add("5g-user")
        if "HOME-169" in offers:
            tags.update(("broadband", "family-plan"))
        if total_fee >= 250:
            tags.add("high-arpu")
        if kind != "individual":
            tags.add("gov-ent")
        elif birth.year < 1962 and r.random() < 0.7:
            tags.add("senior")
        elif birth.year >= 2002 and r.random() < 0.6:
            tags.add("student")
        if tier == "vip":
            tags.add("vip-care")
        if r.random() < 0.04 or (arrears_total and r.random() < 0.3):
            tags.add("churn-risk")
        if r.random() < 0.03:
            tags.add("roaming")
        out["tag"].extend((cid, tag_ids[t]) for t in sorted(tags) if t in tag_ids)
        # --- timeline: a few contacts over the last two years
        for _ in range(_weighted(r, (12, 30, 52, 70, 84, 94, 100))):
            channel, direction, ikind, summaries = INTERACTIONS[_weighted(r, _INTERACTION_CUM)]
            at = now - dt.timedelta(days=r.randrange(730), seconds=r.randrange(86400))
            if at < created:
                continue
            out["interaction"].append(
                (
                    cid,
                    channel,
                    direction,
                    ikind,
                    r.choice(summaries),
                    at,
                    "",
                    "",
                    branch.org_unit_id,
                    owner if channel in ("counter", "field") else None,
                    at,
                    at,
                )
            )
        # --- blacklist
        if blacklisted:
            reason, note = r.choice(BLACKLIST_REASONS)
            since = today - dt.timedelta(days=r.randrange(1, 1000))
            lifted = reason in ("arrears", "nuisance") and (today - since).days > 300 and r.random() < 0.4
            out["blacklist"].append(
                (
                    cid,
                    bidx(idn, context=PARTY_ID),
                    reason,
                    note,
                    "block_all" if reason == "fraud" else r.choice(("block_new", "block_new", "warn")),
                    since,
                    since + dt.timedelta(days=365 * 3) if reason != "fraud" else None,
                    moment(r, since + dt.timedelta(days=r.randrange(30, 300))) if lifted else None,
                    ("欠费已结清，申请解除" if reason == "arrears" else "核查后解除") if lifted else "",
                    branch.org_unit_id,
                    branch.manager or owner,
                    moment(r, since),
                    moment(r, since),
                )
            )
    return out
