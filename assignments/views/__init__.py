"""Pages of this app: parties and villages (pages.py), a village's figures (villages.py) and
the coordinators' restructurings (restructuring.py)."""

from .pages import agency_detail, agency_list, healthz, home, reassign, village_list
from .restructuring import (
    agency_merge,
    agency_rename,
    agency_split,
    regime_replace,
    restructuring_list,
    unit_merge,
)
from .villages import village_detail, village_figures

__all__ = [
    "agency_detail",
    "agency_list",
    "agency_merge",
    "agency_rename",
    "agency_split",
    "healthz",
    "home",
    "reassign",
    "regime_replace",
    "restructuring_list",
    "unit_merge",
    "village_detail",
    "village_figures",
    "village_list",
]
