from .catalog import Catalog, Category, ProductSpecification
from .common import (
    LifecycleStatus,
    OfferingKind,
    PriceType,
    RecurringPeriod,
    SalesChannel,
    SpecKind,
    TariffCharge,
    TariffKind,
    TariffStatus,
    UsageUnit,
)
from .offering import BundledOffering, OfferingQuerySet, ProductOffering, ProductOfferingPrice
from .tariff import GroupTariff

__all__ = [
    "BundledOffering",
    "Catalog",
    "Category",
    "GroupTariff",
    "LifecycleStatus",
    "OfferingKind",
    "OfferingQuerySet",
    "PriceType",
    "ProductOffering",
    "ProductOfferingPrice",
    "ProductSpecification",
    "RecurringPeriod",
    "SalesChannel",
    "SpecKind",
    "TariffCharge",
    "TariffKind",
    "TariffStatus",
    "UsageUnit",
]
