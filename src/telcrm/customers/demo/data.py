"""Demo customers: sizes, encryption contexts, the reference data they are drawn from, the tables."""

from __future__ import annotations

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
    from ..models import (
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


DISTRICT_AREA = {"HZ": "0571", "NB": "0574", "WZ": "0577", "SX": "0575", "JX": "0573", "JH": "0579"}
