"""Built-in dictionaries (码表) and work calendars, created after migrate when missing.

Administrators edit items and hours afterwards; the sync adds what is missing and never changes
what exists.
"""

from __future__ import annotations

from django.db import transaction

DICTIONARIES: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "id_doc_type": (
        "证件类型",
        "ID document type",
        [
            ("id_card", "居民身份证", "Resident ID card"),
            ("hk_mo_permit", "港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
            ("tw_permit", "台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
            ("passport", "护照", "Passport"),
            ("foreigner_residence", "外国人永久居留身份证", "Foreign permanent resident ID"),
            ("business_license", "营业执照", "Business licence"),
            ("org_code", "统一社会信用代码证", "Unified social credit code certificate"),
        ],
    ),
    "gender": ("性别", "Gender", [("m", "男", "Male"), ("f", "女", "Female"), ("u", "未知", "Unknown")]),
    "contact_channel": (
        "接触渠道",
        "Contact channel",
        [
            ("counter", "营业厅", "Counter"),
            ("phone", "电话", "Phone"),
            ("sms", "短信", "SMS"),
            ("email", "电子邮件", "Email"),
            ("web", "网上营业厅", "Web"),
            ("app", "手机客户端", "App"),
            ("wechat", "微信", "WeChat"),
            ("field", "上门", "Field visit"),
            ("import", "批量导入", "Bulk import"),
            ("system", "系统", "System"),
        ],
    ),
    "blacklist_reason": (
        "黑名单原因",
        "Blacklist reason",
        [
            ("arrears", "恶意欠费", "Deliberate arrears"),
            ("fraud", "通信诈骗", "Telecom fraud"),
            ("false_id", "冒用或伪造证件", "Borrowed or forged ID document"),
            ("nuisance", "骚扰电话或垃圾短信", "Nuisance calls or spam messages"),
            ("sim_resale", "违规转售号卡", "Illegal resale of SIM cards"),
            ("authority", "公安或司法机关要求", "Order of the police or a court"),
            ("abuse", "辱骂或威胁工作人员", "Abuse or threats against staff"),
            ("other", "其他", "Other"),
        ],
    ),
    "priority": (
        "优先级",
        "Priority",
        [
            ("p1", "紧急", "Urgent"),
            ("p2", "高", "High"),
            ("p3", "中", "Normal"),
            ("p4", "低", "Low"),
        ],
    ),
}

CALENDARS = {
    "office": (
        "办公时间",
        "Office hours",
        {str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(1, 6)},
        True,
    ),
    "branch": (
        "营业厅营业时间",
        "Branch opening hours",
        {str(d): [["08:30", "18:30"]] for d in range(1, 8)},
        False,
    ),
    "7x24": ("7×24", "7×24", {str(d): [["00:00", "24:00"]] for d in range(1, 8)}, False),
}


@transaction.atomic
def sync_seeds() -> None:
    from .models import DictItem, DictType, WorkCalendar

    for code, (name, name_en, items) in DICTIONARIES.items():
        dt, _ = DictType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_system": True}
        )
        existing = set(dt.items.values_list("code", flat=True))
        DictItem.objects.bulk_create(
            [
                DictItem(dict_type=dt, code=c, label=label, label_en=en, sort_order=i * 10)
                for i, (c, label, en) in enumerate(items)
                if c not in existing
            ]
        )
    for code, (name, name_en, hours, observe) in CALENDARS.items():
        WorkCalendar.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "weekly_hours": hours, "observe_holidays": observe},
        )
