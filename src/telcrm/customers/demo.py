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

import bisect
import collections
import datetime as dt
import itertools
import multiprocessing
import os
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from telcrm.platform import crypto
from telcrm.platform.demo import DemoResetRefused, copy_rows, demo_generator

CHUNK = 2000  # customers per chunk (part of the data's identity: changing it changes the data)
CUSTOMER_PREFIX = "C571"  # C + 11 digits: C571 + an 8-digit sequence
ACCOUNT_PREFIX = "A571"  # A + 11 digits: A571 + an 8-digit sequence (3 slots per customer)
MAX_CUSTOMERS = 20_000_000  # the ID-number permutation (birth day × sequence) holds 20.8M people
ACCOUNTS_PER_CUSTOMER = 3  # account number/primary key slots per customer
LINES_PER_CUSTOMER = 4  # MSISDN/ICCID slots per customer

PARTY_ID = "customers.Party.id_number"
PHONE_CTX = "customers.Customer.primary_phone"
MEDIUM_CTX = "customers.ContactMedium.value"
PERSON_PHONE_CTX = "customers.ContactPerson.phone"

# --- places -----------------------------------------------------------------------------------
# city code → (postcode prefix, ((district, ID region code, (roads…)), …)); districts are real, and so
# are their administrative codes (GB/T 2260), which start the ID numbers of people born there.
DISTRICTS: dict[str, tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]]] = {
    "HZ": (
        "3100",
        (
            ("上城区", "330102", ("解放路", "庆春路", "望江路", "秋涛路", "凤起东路")),
            ("拱墅区", "330105", ("莫干山路", "湖墅南路", "丽水路", "上塘路", "大关路")),
            ("西湖区", "330106", ("文三路", "文一西路", "天目山路", "古墩路", "学院路", "教工路")),
            ("滨江区", "330108", ("江南大道", "滨盛路", "长河路", "江陵路", "网商路")),
            ("萧山区", "330109", ("人民路", "市心路", "金城路", "建设一路", "育才路")),
            ("余杭区", "330110", ("文一西路", "五常大道", "良睦路", "高教路")),
            ("富阳区", "330111", ("桂花路", "金桥北路", "江滨西大道")),
            ("临平区", "330113", ("迎宾路", "星光街", "南苑街", "世纪大道")),
            ("钱塘区", "330114", ("下沙路", "学林街", "文泽路", "金沙大道")),
        ),
    ),
    "NB": (
        "3150",
        (
            ("海曙区", "330203", ("中山西路", "解放南路", "药行街", "镇明路")),
            ("江北区", "330205", ("人民路", "大庆南路", "江北大道")),
            ("北仑区", "330206", ("新大路", "明州路", "长江路")),
            ("镇海区", "330211", ("车站路", "骆驼街道盛兴路")),
            ("鄞州区", "330212", ("四明中路", "天童南路", "钱湖北路", "首南中路")),
            ("余姚市", "330281", ("阳明西路", "新建北路", "南雷南路")),
            ("慈溪市", "330282", ("三北大街", "新城大道", "孙塘北路")),
        ),
    ),
    "WZ": (
        "3250",
        (
            ("鹿城区", "330302", ("五马街", "人民东路", "车站大道", "府前街")),
            ("龙湾区", "330303", ("永定路", "永中街道罗东路")),
            ("瓯海区", "330304", ("古岸头路", "瓯海大道", "娄桥街道")),
            ("瑞安市", "330381", ("万松路", "安阳路", "罗阳大道")),
            ("乐清市", "330382", ("旭阳路", "双雁路", "清远路")),
        ),
    ),
    "SX": (
        "3120",
        (
            ("越城区", "330602", ("解放北路", "中兴中路", "胜利东路", "环城西路")),
            ("柯桥区", "330603", ("金柯桥大道", "笛扬路", "鉴湖路")),
            ("上虞区", "330604", ("市民大道", "人民西路", "江扬路")),
            ("诸暨市", "330681", ("艮塔路", "暨阳路", "浣东北路")),
            ("嵊州市", "330683", ("剡湖街道官河路", "北直街")),
        ),
    ),
    "JX": (
        "3140",
        (
            ("南湖区", "330402", ("中山东路", "南湖大道", "广益路", "由拳路")),
            ("秀洲区", "330411", ("洪兴路", "秀洲大道", "新城路")),
            ("海宁市", "330481", ("海州西路", "文苑路", "硖石街道")),
            ("平湖市", "330482", ("当湖街道", "胜利路")),
            ("桐乡市", "330483", ("振兴东路", "庆丰路", "校场东路")),
        ),
    ),
    "JH": (
        "3210",
        (
            ("婺城区", "330702", ("八一南街", "双龙南街", "人民西路", "宾虹路")),
            ("金东区", "330703", ("光南路", "多湖街道")),
            ("义乌市", "330782", ("银海路", "稠州北路", "宾王路", "工人北路")),
            ("东阳市", "330783", ("人民路", "吴宁西路", "江滨南街")),
            ("永康市", "330784", ("华溪路", "丽州路", "金城路")),
        ),
    ),
}
ALL_REGIONS = tuple(r for _pc, ds in DISTRICTS.values() for _d, r, _roads in ds)
ESTATES = (
    "阳光", "金色", "锦绣", "翠苑", "紫金", "绿城", "万科", "滨江", "嘉园", "东方", "春江", "都市",
    "桂花", "香樟", "景瑞", "世纪", "和平", "新华", "文华", "天都", "名苑", "湖畔", "江南", "蓝色",
)  # fmt: skip
ESTATE_SUFFIXES = ("花园", "公寓", "新村", "小区", "家园", "苑", "城", "府", "名邸")

# --- names ------------------------------------------------------------------------------------
MODERN_MALE = (
    "浩然", "子轩", "宇航", "俊杰", "浩宇", "梓豪", "子墨", "一鸣", "思远", "志强", "建华", "国平",
    "文博", "天佑", "嘉诚", "明轩", "晓东", "海波", "立新", "永刚", "家豪", "宏伟", "振华", "云飞",
)  # fmt: skip
MODERN_FEMALE = (
    "欣怡", "梓涵", "诗涵", "雨萱", "佳怡", "思彤", "一诺", "可馨", "晓燕", "丽华", "美玲", "雪梅",
    "静怡", "婉婷", "雅琪", "慧敏", "海燕", "红梅", "秀芳", "春花", "玉洁", "梦瑶", "佳琪", "若曦",
)  # fmt: skip
COMPANY_WORDS = (
    "恒达", "华信", "宏远", "天成", "瑞丰", "金桥", "永盛", "新锐", "博雅", "汇通", "鼎盛", "中天",
    "卓越", "星河", "海纳", "润泽", "正泰", "鸿运", "东升", "德信", "云帆", "同创", "开元", "安泰",
)  # fmt: skip
TRADES = (
    ("电子科技", "信息技术"), ("纺织", "制造业"), ("服饰", "批发和零售业"), ("建设工程", "建筑业"),
    ("物流", "交通运输"), ("餐饮管理", "住宿和餐饮"), ("机械制造", "制造业"), ("新材料", "制造业"),
    ("网络科技", "信息技术"), ("贸易", "批发和零售业"), ("医疗器械", "卫生"), ("教育咨询", "教育"),
    ("物业管理", "房地产"), ("汽车销售服务", "批发和零售业"), ("小商品", "批发和零售业"), ("印染", "制造业"),
)  # fmt: skip
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
TITLES = ("总经理", "行政主管", "IT经理", "财务经理", "办公室主任", "采购经理")
MAIL_DOMAINS = ("qq.com", "163.com", "139.com", "126.com", "sina.com", "foxmail.com")

# --- products ---------------------------------------------------------------------------------
# (code, name, monthly fee) — weights per value tier: ordinary, important, VIP
OFFERS = (
    ("5G-CX-128", "5G畅享套餐 128元", 128, (14, 22, 12)),
    ("5G-CX-198", "5G畅享套餐 198元", 198, (3, 20, 25)),
    ("5G-ZX-88", "5G智享套餐 88元", 88, (16, 12, 3)),
    ("4G-FX-58", "4G飞享套餐 58元", 58, (20, 6, 1)),
    ("4G-FX-38", "4G飞享套餐 38元", 38, (16, 3, 1)),
    ("DGDD-29", "动感地带潮玩卡 29元", 29, (10, 2, 0)),
    ("QQT-288", "全球通尊享套餐 288元", 288, (0, 6, 30)),
    ("HOME-169", "家庭融合套餐 169元（含千兆宽带）", 169, (8, 22, 18)),
    ("QQH-18", "亲情号副卡 18元", 18, (13, 7, 10)),
)
GROUP_OFFERS = (
    ("ENT-5G-158", "政企5G套餐 158元", 158, 30),
    ("ENT-VNET-10", "集团V网成员 10元", 10, 35),
    ("ENT-IOT-5", "物联网卡 5元", 5, 15),
    ("ENT-CX-128", "5G畅享套餐 128元（集团统付）", 128, 20),
)
MSISDN_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157",
    "158", "159", "172", "178", "182", "183", "184", "187", "188", "195", "198",
)  # fmt: skip
OTHER_MOBILE_PREFIXES = ("130", "131", "132", "155", "156", "166", "176", "185", "186", "133", "153", "180",
                         "181", "189", "191", "199", "177", "173")  # fmt: skip

TAGS = (
    ("5g-user", "5G用户", "5G user", "primary"),
    ("broadband", "宽带用户", "Broadband", "info"),
    ("family-plan", "家庭套餐", "Family plan", "success"),
    ("high-arpu", "高价值", "High ARPU", "warning"),
    ("churn-risk", "离网风险", "Churn risk", "danger"),
    ("roaming", "国际漫游", "Roaming", "secondary"),
    ("senior", "银发用户", "Senior", "secondary"),
    ("student", "校园用户", "Student", "secondary"),
    ("gov-ent", "政企客户", "Government & enterprise", "dark"),
    ("vip-care", "VIP关怀", "VIP care", "warning"),
)

# (channel, direction, kind, summaries)
INTERACTIONS = (
    ("counter", "in", "visit", ("营业厅办理套餐变更", "营业厅补换SIM卡", "营业厅缴费100元",
                                "营业厅实名信息核验", "营业厅咨询携号转网", "营业厅办理宽带新装")),
    ("phone", "in", "call", ("10086来电咨询话费账单", "10086来电咨询流量使用", "10086来电咨询套餐资费",
                             "10086来电报修宽带故障", "10086来电咨询积分兑换")),
    ("phone", "out", "call", ("外呼回访：满意度调查", "外呼营销：5G套餐升级推荐", "外呼提醒：合约即将到期")),
    ("sms", "out", "sms", ("短信通知：本月账单已出", "短信提醒：余额不足", "短信提醒：流量已使用80%",
                           "短信提醒：套餐将于下月到期")),
    ("app", "in", "order", ("手机营业厅充值50元", "手机营业厅订购10GB流量包", "手机营业厅查询账单",
                            "手机营业厅积分兑换话费")),
    ("wechat", "in", "consult", ("微信公众号查询话费余额", "微信公众号咨询宽带资费",
                                 "微信公众号办理电子发票")),
    ("web", "in", "order", ("网上营业厅订购视频会员", "网上营业厅变更账单地址", "网上营业厅预约宽带安装")),
    ("email", "out", "email", ("电子账单已发送", "电子发票已发送")),
    ("field", "out", "visit", ("上门安装千兆宽带", "上门维修光猫", "客户经理上门拜访")),
)  # fmt: skip
INTERACTION_WEIGHTS = (18, 16, 8, 22, 14, 8, 5, 5, 4)
BLACKLIST_REASONS = (  # codes of the blacklist_reason dictionary
    ("arrears", "恶意欠费，多次催缴未果"),
    ("fraud", "涉嫌电信网络诈骗，公安机关通报"),
    ("nuisance", "大量发送垃圾短信、拨打骚扰电话"),
    ("false_id", "冒用他人身份证件办理业务"),
)

# --- columns (copy_rows order) ----------------------------------------------------------------
SCOPED = ("org_unit_id", "owner_id", "created_at", "updated_at")
PARTY_COLUMNS = (
    "id", "kind", "name", "family_name", "given_name", "gender", "birth_date", "nationality",
    "trading_name", "legal_representative", "industry", "id_doc_type", "id_number", "id_number_bidx",
    "id_verified_at", "id_verified_by_id", *SCOPED,
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "id", "customer_no", "party_id", "customer_type", "name", "status", "value_tier", "loyalty_class",
    "behaviour_type", "relation_type", "credit_level", "account_manager_id", "parent_id",
    "primary_phone", "primary_phone_bidx", "search_text", "tenure_start", "classified_at", *SCOPED,
)  # fmt: skip
MEDIUM_COLUMNS = (
    "customer_id",
    "kind",
    "value",
    "value_bidx",
    "is_primary",
    "marketing_consent",
    "do_not_disturb",
    "verified_at",
)
ADDRESS_COLUMNS = ("customer_id", "kind", "province", "city", "district", "street", "postcode", "is_primary")
PERSON_COLUMNS = ("customer_id", "name", "title", "phone", "email", "is_decision_maker")
ACCOUNT_COLUMNS = (
    "id", "account_no", "customer_id", "name", "status", "balance", "arrears", "credit_limit",
    "bill_cycle_day", "synced_at", *SCOPED,
)  # fmt: skip
SUBSCRIPTION_COLUMNS = (
    "customer_id", "account_id", "msisdn", "iccid", "offer_code", "offer_name", "monthly_fee", "status",
    "activated_at", "commitment_end", *SCOPED,
)  # fmt: skip
INTERACTION_COLUMNS = (
    "customer_id", "channel", "direction", "kind", "summary", "occurred_at", "ref_type", "ref_id", *SCOPED,
)  # fmt: skip
BLACKLIST_COLUMNS = (
    "customer_id", "id_number_bidx", "reason_code", "note", "effect", "valid_from", "valid_to",
    "lifted_at", "lift_reason", *SCOPED,
)  # fmt: skip
TAG_COLUMNS = ("customer_id", "tag_id")


def tables():
    """(key, model, columns) in load order: parents before children."""
    from .models import (
        Account,
        Address,
        BlacklistEntry,
        ContactMedium,
        ContactPerson,
        Customer,
        Interaction,
        Party,
        Subscription,
    )

    return (
        ("party", Party, PARTY_COLUMNS),
        ("customer", Customer, CUSTOMER_COLUMNS),
        ("medium", ContactMedium, MEDIUM_COLUMNS),
        ("address", Address, ADDRESS_COLUMNS),
        ("person", ContactPerson, PERSON_COLUMNS),
        ("account", Account, ACCOUNT_COLUMNS),
        ("subscription", Subscription, SUBSCRIPTION_COLUMNS),
        ("interaction", Interaction, INTERACTION_COLUMNS),
        ("blacklist", BlacklistEntry, BLACKLIST_COLUMNS),
        ("tag", Customer.tags.through, TAG_COLUMNS),
    )


# --- unique numbers: permutations of the customer index -----------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
BIRTH_FIRST = dt.date(1950, 1, 1)
BIRTH_DAYS = (dt.date(2006, 12, 31) - BIRTH_FIRST).days + 1  # 20,819
ID_SPACE = BIRTH_DAYS * 999  # (birth day, sequence 001–999) pairs
MSISDN_SPACE = len(MSISDN_PREFIXES) * 10**8
ICCID_SPACE = 10**13
ORG_SPACE = 10**8


class Permutation:
    """A keyed bijection of range(m): a 4-round Feistel network on the next even number of bits,
    cycle-walked back into range. Distinct inputs give distinct, scattered outputs, so unique
    numbers need no memory of what was handed out."""

    def __init__(self, m: int, key: int):
        self.m = m
        self.half = max(2, (m - 1).bit_length() + 1) // 2
        self.mask = (1 << self.half) - 1
        rng = random.Random(key)  # noqa: S311 - a scrambler, not a secret
        self.keys = tuple(rng.getrandbits(32) | 1 for _ in range(4))

    def __call__(self, i: int) -> int:
        if not 0 <= i < self.m:
            raise ValueError(f"{i} is outside 0…{self.m - 1}")
        half, mask, keys = self.half, self.mask, self.keys
        x = i
        while True:
            left, right = x >> half, x & mask
            for k in keys:
                f = ((right * k) ^ (right >> 3) ^ k) & mask
                left, right = right, left ^ f
            x = (left << half) | right
            if x < self.m:
                return x


# fixed keys (not the seed), so numbers never collide across seeds or top-ups
_PERMS = {
    "id": Permutation(ID_SPACE, 1),
    "msisdn": Permutation(MSISDN_SPACE, 2),
    "iccid": Permutation(ICCID_SPACE, 3),
    "org": Permutation(ORG_SPACE, 4),
}


def id_check_digit(body17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def resident_id(i: int, region: str) -> tuple[str, dt.date, str]:
    """Customer i's ID number (unique over i whatever the region), birth date and gender (m/f)."""
    x = _PERMS["id"](i)
    day, seq = divmod(x, 999)
    birth = BIRTH_FIRST + dt.timedelta(days=day)
    body = f"{region}{birth:%Y%m%d}{seq + 1:03d}"
    return body + id_check_digit(body), birth, "m" if (seq + 1) % 2 else "f"


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(i: int, region: str) -> str:
    """A unified social credit code (统一社会信用代码): 9 1 + region + organisation code + check."""
    from stdnum.cn import uscc

    body = f"{_PERMS['org'](i):08d}"
    c = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(c, str(c))  # GB 11714 organisation code check digit
    first17 = f"91{region}{org}"
    return first17 + uscc.calc_check_digit(first17)


def msisdn(slot: int) -> str:
    x = _PERMS["msisdn"](slot)
    return f"{MSISDN_PREFIXES[x // 10**8]}{x % 10**8:08d}"


def iccid(slot: int) -> str:
    body = f"898600{_PERMS['iccid'](slot):013d}"
    total = 0
    for n, ch in enumerate(reversed(body)):  # Luhn check digit
        d = int(ch) * (2 if n % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def customer_no(i: int) -> str:
    return f"{CUSTOMER_PREFIX}{i + 1:08d}"


def account_no(i: int, k: int) -> str:
    return f"{ACCOUNT_PREFIX}{i * ACCOUNTS_PER_CUSTOMER + k + 1:08d}"


def customer_index(number: str) -> int:
    return int(number[len(CUSTOMER_PREFIX) :]) - 1


# --- the plan: what every chunk needs to know (built once, shipped to the workers) ----------------
@dataclass(frozen=True)
class Branch:
    org_unit_id: int
    code: str
    city_code: str
    city_name: str
    clerks: tuple[int, ...]
    account_managers: tuple[int, ...]
    manager: int | None


@dataclass(frozen=True)
class Plan:
    seed: int
    start: int  # first customer index to generate (the ones below exist)
    stop: int
    today: dt.date
    tz: object
    branches: tuple[Branch, ...]
    branch_cum_weights: tuple[float, ...]
    demo_branch: int  # index in branches of ZJ-HZ-B01
    demo_clerk: int | None
    demo_am: int | None
    tag_ids: dict
    party_base: int  # primary key of customer `start`'s party; customer i gets party_base + i - start
    customer_base: int
    account_base: int  # account k of customer i: account_base + (i - start) * 3 + k


def build_plan(*, seed: int, start: int, stop: int) -> Plan:
    from django.db.models import Max

    from telcrm.platform.demo import CITIES
    from telcrm.platform.models import OrgKind, OrgUnit, User

    from .models import Account, Customer, Party

    cities = {c.code: c for c in CITIES}
    staff = collections.defaultdict(lambda: collections.defaultdict(list))
    for uid, unit_id, role in (
        User.objects.filter(is_active=True, org_unit__kind=OrgKind.BRANCH, role__isnull=False)
        .order_by("id")
        .values_list("id", "org_unit_id", "role__code")
    ):
        staff[unit_id][role].append(uid)
    branches, weights = [], []
    for unit in OrgUnit.objects.filter(kind=OrgKind.BRANCH, code__startswith="ZJ-").order_by("code"):
        city_code = unit.code.split("-")[1]
        if city_code not in DISTRICTS:
            continue
        s = staff[unit.id]
        manager = (s["branch_manager"] or [None])[0]
        branches.append(
            Branch(
                unit.id,
                unit.code,
                city_code,
                cities[city_code].name,
                tuple(s["clerk"]) or ((manager,) if manager else (None,)),
                tuple(s["account_manager"]),
                manager,
            )
        )
        # Hangzhou branches are busier; the demo branch busiest, so its users see a full list.
        weights.append(3.0 if unit.code == "ZJ-HZ-B01" else 1.5 if city_code == "HZ" else 1.0)
    if not branches:
        raise RuntimeError("the demo carrier's branches are missing: run the platform generator first")
    users = dict(User.objects.filter(username__in=("clerk", "am")).values_list("username", "id"))
    codes = [b.code for b in branches]

    def base(model) -> int:
        return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    return Plan(
        seed=seed,
        start=start,
        stop=stop,
        today=timezone.localdate(),
        tz=timezone.get_current_timezone(),
        branches=tuple(branches),
        branch_cum_weights=tuple(itertools.accumulate(weights)),
        demo_branch=codes.index("ZJ-HZ-B01") if "ZJ-HZ-B01" in codes else -1,
        demo_clerk=users.get("clerk"),
        demo_am=users.get("am"),
        tag_ids=ensure_tags(),
        party_base=base(Party),
        customer_base=base(Customer),
        account_base=base(Account),
    )


def ensure_tags() -> dict[str, int]:
    """The demo tags (reference data; created once, never changed)."""
    from .models import Tag

    for code, name, name_en, color in TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "color": color})
    return dict(Tag.objects.filter(code__in=[t[0] for t in TAGS]).values_list("code", "id"))


# --- one chunk ----------------------------------------------------------------------------------
_NAMES = None


def _names():
    """Faker zh_CN's family names (with their weights) and given names, loaded once per process."""
    global _NAMES
    if _NAMES is None:
        from faker.providers.person.zh_CN import Provider

        family = list(Provider.last_names.items())
        _NAMES = (
            [f for f, _w in family],
            list(itertools.accumulate(w for _f, w in family)),
            tuple(Provider.first_names_male) + MODERN_MALE,
            tuple(Provider.first_names_female) + MODERN_FEMALE,
        )
    return _NAMES


def _weighted(rng: random.Random, cum: list | tuple) -> int:
    return bisect.bisect(cum, rng.random() * cum[-1])


_TIER_CUM = (85.0, 97.0, 100.0)  # ordinary 85%, important 12%, VIP 3%
_TIER_CUM_ENTERPRISE = (50.0, 85.0, 100.0)
_TIERS = ("ordinary", "important", "vip")
_OFFER_CUM = [tuple(itertools.accumulate(o[3][t] for o in OFFERS)) for t in range(3)]
_GROUP_OFFER_CUM = tuple(itertools.accumulate(o[3] for o in GROUP_OFFERS))
_INTERACTION_CUM = tuple(itertools.accumulate(INTERACTION_WEIGHTS))
_CREDIT_CUM = tuple(itertools.accumulate((2, 5, 48, 30, 15)))
_BEHAVIOUR = ("", "lighthouse", "follower", "rational", "profit")
_BEHAVIOUR_CUM = tuple(itertools.accumulate((10, 6, 32, 36, 16)))


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


DISTRICT_AREA = {"HZ": "0571", "NB": "0574", "WZ": "0577", "SX": "0575", "JX": "0573", "JH": "0579"}


# --- running it -------------------------------------------------------------------------------
_WORKER: dict = {}


def _worker_init(plan: Plan, search_text) -> None:
    _WORKER.update(plan=plan, search_text=search_text)


def _worker_chunk(chunk: int) -> dict[str, list]:
    return generate_chunk(_WORKER["plan"], chunk, _WORKER["search_text"])


def default_workers(count: int) -> int:
    env = os.environ.get("TELCRM_DEMO_WORKERS", "")
    if env.strip():
        return max(0, int(env))
    return (os.cpu_count() or 1) if count >= 50_000 else 0


def chunks(plan: Plan, workers: int):
    """Yield the chunks' rows in order; with workers, at most 2 chunks per worker in flight."""
    search_text = _search_text_function()
    numbers = range(plan.start // CHUNK, (plan.stop + CHUNK - 1) // CHUNK)
    if not workers:
        for n in numbers:
            yield generate_chunk(plan, n, search_text)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(plan, search_text)) as pool:
        pending = collections.deque()
        todo = iter(numbers)
        for n in itertools.islice(todo, workers * 2):
            pending.append(pool.apply_async(_worker_chunk, (n,)))
        while pending:
            result = pending.popleft().get()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.apply_async(_worker_chunk, (nxt,)))
            yield result


def _search_text_function():
    from .search import build_search_text

    return build_search_text


def existing_demo_customers() -> int:
    """How many demo customers exist: the index of the highest demo number + 1 (they load in order)."""
    from .models import Customer

    last = (
        Customer.objects.filter(
            customer_no__gte=customer_no(0), customer_no__lte=f"{CUSTOMER_PREFIX}99999999"
        )
        .order_by("-customer_no")
        .values_list("customer_no", flat=True)
        .first()
    )
    return customer_index(last) + 1 if last else 0


def _defaulted(model, columns) -> list:
    """NOT NULL columns the generator does not fill (added to the model since), given their default."""
    given = set(columns)
    return [
        f
        for f in model._meta.concrete_fields
        if not f.null
        and not f.primary_key
        and f.attname not in given
        and f.name not in given
        and f.has_default()
    ]


def load_customers(*, count: int, seed: int, workers: int | None = None, progress=None) -> dict[str, int]:
    """Generate demo customers up to ``count`` (top-up); returns rows loaded per table."""
    from .models import Account, Customer, Party

    if count > MAX_CUSTOMERS:
        raise ValueError(f"at most {MAX_CUSTOMERS:,} demo customers (unique ID numbers run out)")
    start = existing_demo_customers()
    loaded = dict.fromkeys([key for key, _m, _c in tables()], 0)
    if start >= count:
        return loaded
    plan = build_plan(seed=seed, start=start, stop=count)
    workers = default_workers(count - start) if workers is None else workers
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # check foreign keys per COPY, not all at commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    layout, defaults = [], {}
    for key, model, columns in tables():
        extra = _defaulted(model, columns)
        layout.append((key, model, (*columns, *(f.attname for f in extra))))
        defaults[key] = tuple(f.get_default() for f in extra)
    done = 0
    for rows in chunks(plan, workers):
        if rows["fixups"]:
            ids = dict(
                Customer.objects.filter(customer_no__in={no for _pos, no in rows["fixups"]}).values_list(
                    "customer_no", "id"
                )
            )
            parent_col = CUSTOMER_COLUMNS.index("parent_id")
            for pos, no in rows["fixups"]:
                row = list(rows["customer"][pos])
                row[parent_col] = ids.get(no)
                rows["customer"][pos] = tuple(row)
        for key, model, columns in layout:
            if rows[key]:
                extra = defaults[key]
                data = rows[key] if not extra else (row + extra for row in rows[key])
                loaded[key] += copy_rows(model, columns, data, batch_size=5000)
        done += len(rows["customer"])
        if progress:
            progress(done, count - start)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Party, Customer, Account]):
                cursor.execute(statement)
    return loaded


def reset_customers(*, stdout) -> None:
    """Delete the demo customers and what hangs off them; refused when other data refers to them.

    Demo customers are those with a demo number (C571…) and no history record: customers created
    through actions after the demo continue its numbering (next free number) but always have a
    history row, and a demo customer someone edited has one too — both are kept. Plain DELETEs by
    id (the ORM's cascade would load millions of rows); foreign keys are checked immediately, so a
    row elsewhere that refers to a demo customer refuses the reset.
    """
    from .models import CreditChange, Customer, Party, UpdateRequest

    qn = connection.ops.quote_name
    customers = qn(Customer._meta.db_table)
    history = qn(Customer.history.model._meta.db_table)
    statements = [
        (
            f"CREATE TEMPORARY TABLE demo_reset AS SELECT c.id, c.party_id FROM {customers} c "  # noqa: S608
            "WHERE c.customer_no BETWEEN %s AND %s "
            f"AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = c.id)",
            [customer_no(0), f"{CUSTOMER_PREFIX}99999999"],
        ),
        *(
            (f"DELETE FROM {qn(m._meta.db_table)} WHERE customer_id IN (SELECT id FROM demo_reset)", [])  # noqa: S608
            for m in [m for key, m, _c in reversed(tables()) if key not in ("party", "customer")]
            + [CreditChange, UpdateRequest]
        ),
        (f"DELETE FROM {customers} WHERE id IN (SELECT id FROM demo_reset)", []),  # noqa: S608
        (f"DELETE FROM {qn(Party._meta.db_table)} WHERE id IN (SELECT party_id FROM demo_reset)", []),  # noqa: S608
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql, params in statements:
                cursor.execute(sql, params)
                if sql.startswith("CREATE"):
                    cursor.execute("SELECT COUNT(*) FROM demo_reset")
                    n = cursor.fetchone()[0]
            if connection.vendor != "postgresql":
                connection.check_constraints()  # SQLite checks deferred foreign keys only at commit
            cursor.execute("DROP TABLE demo_reset")
    except IntegrityError as exc:
        raise DemoResetRefused(
            "other data still refers to demo customers (orders, tickets, merges…); delete it first, or "
            "start from a fresh database."
        ) from exc
    stdout.write(f"  customers: deleted {n:,} demo customers and their accounts, lines and contacts")


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
