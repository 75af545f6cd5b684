"""`pizza cost`: what N orders cost on AWS, from the calls real orders made (their spans), the
declared resources, and public unit prices kept in one data file with their date."""

from pizza_ops.cost.estimate import CostEstimate, CostLine, MonthlyItem, estimate, estimate_as_json, render_estimate
from pizza_ops.cost.prices import PRICES_FILE, PriceBook, UnitPrice, load_prices
from pizza_ops.cost.usage import BillingFacts, FunctionSpec, Usage, usage_per_order

__all__ = [
    "PRICES_FILE",
    "BillingFacts",
    "CostEstimate",
    "CostLine",
    "FunctionSpec",
    "MonthlyItem",
    "PriceBook",
    "UnitPrice",
    "Usage",
    "estimate",
    "estimate_as_json",
    "load_prices",
    "render_estimate",
    "usage_per_order",
]
