"""Customer import: the columns it understands (headers in both languages, other spellings),
value spellings, its constants, parameter and messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext_lazy

from telcrm.platform.imports import CSV_DETECT_CHUNK as CSV_DETECT_CHUNK
from telcrm.platform.imports import HEADER_SEARCH_ROWS as HEADER_SEARCH_ROWS
from telcrm.platform.imports import UPLOAD_DIR as UPLOAD_DIR
from telcrm.platform.imports import aliases
from telcrm.platform.imports import header_key as header_key
from telcrm.platform.parameters import define

CTX = "customers-import"


def _(message: str):
    """The import's messages carry their own context, so import.po never collides with another area."""
    return pgettext_lazy(CTX, message)


IMPORT_PERM = "customers.import_customer"
JOB_KIND = "customers.import"
REPORT_DIR = "exports"
BATCH_ROWS = 200  # rows per commit
BATCH_SECONDS = 0.5  # ... or this long, whichever comes first
# PostgreSQL: write each batch in a second thread while the next one is validated (job.Pipeline)
PIPELINE = True

define(
    "customers.import_max_mb",
    group="customers",
    type="int",
    default=100,
    min_value=1,
    max_value=2048,
    name="客户导入文件大小上限（MB）",
    name_en="Customer import: largest file (MB)",
    description="上传的客户导入文件（.xlsx 或 .csv）超过该大小即被拒绝。",
    description_en="An uploaded customer import file (.xlsx or .csv) larger than this is refused.",
)


# --- columns ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """A column the importer understands: its field, its headers in both languages, other spellings."""

    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: object = ""
    example_en: object = None
    width: int = 14
    hint: object = ""  # lazy: allowed values, shown in the template and on the page

    def header(self, lang: str | None = None) -> str:
        lang = lang or translation.get_language() or settings.LANGUAGE_CODE
        return self.en if lang.startswith("en") else self.zh


COLUMNS: tuple[Spec, ...] = (
    Spec(
        "name",
        "客户名称",
        "Name",
        ("名称", "姓名", "客户名", "客户姓名", "customer name", "full name"),
        required=True,
        example="张三",
        example_en="张三",
        width=18,
        hint=_("Person's full name or the organisation's registered name."),
    ),
    Spec(
        "customer_type",
        "客户类型",
        "Type",
        ("类型", "customer type", "customer_type", "客户类别"),
        required=True,
        example="个人",
        example_en="individual",
        width=10,
        hint=_("个人 / individual, 企业 / enterprise or 集团 / group."),
    ),
    Spec(
        "id_doc_type",
        "证件类型",
        "ID document type",
        ("id_doc_type", "id type", "document type", "doc type"),
        example="居民身份证",
        example_en="id_card",
        width=14,
        hint=_("A document type by name or code; empty means the resident ID card for individuals."),
    ),
    Spec(
        "id_number",
        "证件号码",
        "ID number",
        ("证件号", "身份证号", "身份证号码", "id_number", "id no", "id"),
        example="11010519491231002X",
        width=22,
        hint=_("Checked like at the counter (the ID card's check digit included)."),
    ),
    Spec(
        "phone",
        "手机号码",
        "Phone",
        ("手机", "手机号", "联系电话", "电话", "电话号码", "mobile", "mobile phone", "phone number"),
        example="13800138000",
        width=14,
    ),
    Spec(
        "email",
        "邮箱",
        "Email",
        ("电子邮箱", "电子邮件", "邮件", "e-mail", "mail"),
        example="zhangsan@example.com",
        width=22,
    ),
    Spec(
        "gender",
        "性别",
        "Gender",
        ("sex",),
        example="女",
        example_en="female",
        width=6,
        hint=_("男 / 女 or male / female."),
    ),
    Spec(
        "birth_date",
        "出生日期",
        "Date of birth",
        ("生日", "birth date", "birthday", "birth_date", "date of birth"),
        example=date(1949, 12, 31),
        width=12,
        hint=_("A date cell or text such as 1990-01-31."),
    ),
    Spec("province", "省", "Province", ("省份", "省/直辖市"), example="北京市", width=10),
    Spec("city", "市", "City", ("城市", "地市", "市/州"), example="北京市", width=10),
    Spec("district", "区", "District", ("区县", "县区", "区/县", "county"), example="朝阳区", width=10),
    Spec(
        "street",
        "地址",
        "Address",
        ("详细地址", "街道地址", "联系地址", "street", "street address", "address line"),
        example="建国路88号",
        width=28,
    ),
    Spec("postcode", "邮编", "Postcode", ("邮政编码", "zip", "zip code", "postal code"), example="", width=8),
    Spec(
        "tags",
        "标签",
        "Tags",
        ("客户标签", "tag"),
        example="",
        width=16,
        hint=_("Tag names or codes, separated by commas."),
    ),
    Spec(
        "marketing_consent",
        "营销许可",
        "Marketing consent",
        ("同意营销", "接受营销", "营销同意", "marketing_consent", "consent"),
        example="否",
        example_en="no",
        width=10,
        hint=_("是 / 否 or yes / no; empty means no."),
    ),
    Spec("family_name", "姓氏", "Family name", ("family_name", "surname", "last name"), width=8),
    Spec("given_name", "名字", "Given name", ("given_name", "first name"), width=8),
    Spec(
        "legal_representative",
        "法定代表人",
        "Legal representative",
        ("法人", "法人代表", "legal_representative", "legal rep"),
        width=12,
    ),
    Spec("trading_name", "企业简称", "Trading name", ("简称", "商号", "trading_name"), width=14),
    Spec("industry", "行业", "Industry", ("所属行业",), width=12),
)
SPECS = {s.field: s for s in COLUMNS}
ADDRESS_FIELDS = ("province", "city", "district", "street", "postcode")
PLAIN_FIELDS = (
    "id_number",
    "phone",
    "email",
    "family_name",
    "given_name",
    "trading_name",
    "legal_representative",
    "industry",
)


ALIASES: dict[str, str] = aliases(COLUMNS)

TYPE_VALUES = {
    "individual": ("individual", "个人", "个人客户", "person", "personal", "公众", "公众客户"),
    "enterprise": ("enterprise", "企业", "企业客户", "政企", "单位", "company", "business", "organisation"),
    "group": ("group", "集团", "集团客户", "group customer"),
}
GENDER_VALUES = {"m": ("m", "男", "male", "男性"), "f": ("f", "女", "female", "女性"), "u": ("u", "未知")}
YES = ("1", "y", "yes", "true", "是", "同意", "√", "✓", "允许")
NO = ("", "0", "n", "no", "false", "否", "不同意", "×", "不允许")
TAG_SPLIT = re.compile(r"[,，;；、|]+")


def _table(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {header_key(v): code for code, values in mapping.items() for v in values}


TYPES = _table(TYPE_VALUES)
GENDERS = _table(GENDER_VALUES)
