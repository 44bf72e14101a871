"""Parameters (系统参数) of the product catalog.

Imported from ``CatalogConfig.ready()`` so they are registered before ``sync_parameters`` runs after
migrate; read them with ``telcrm.platform.parameters.param(key)``.
"""

from __future__ import annotations

from telcrm.platform.parameters import define

GROUP = "catalog"

DISCOUNT_APPROVAL_THRESHOLD = "catalog.discount_approval_threshold_percent"
TARIFF_MAX_MONTHS = "catalog.group_tariff_max_months"

define(
    DISCOUNT_APPROVAL_THRESHOLD,
    group=GROUP,
    type="decimal",
    default="10",
    min_value=0,
    max_value=100,
    name="集团优惠审批阈值（%）",
    name_en="Group discount approval threshold (%)",
    description="集团个性化资费的优惠幅度（折扣比例，减免金额和特价按相当的折扣比例计）超过该百分比时，"
    "须由营业厅经理或管理员（非申请人）审批；不超过时提交即生效。",
    description_en="A group tariff whose discount (amounts and special prices as a percentage of the list "
    "price) exceeds this needs approval by a manager other than the requester; else it applies at once.",
)
define(
    TARIFF_MAX_MONTHS,
    group=GROUP,
    type="int",
    default=36,
    min_value=1,
    max_value=120,
    name="集团优惠最长有效期（月）",
    name_en="Longest validity of a group tariff (months)",
    description="集团个性化资费从生效到失效的最长月数；不填失效日期的资费不受此限制检查。",
    description_en="Longest time in months from the start to the end of a group tariff; a tariff without "
    "an end date is not checked against it.",
)
