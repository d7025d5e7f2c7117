"""Pages of this app: parties and villages (pages.py), a village's figures (villages.py) and
the coordinators' restructurings (restructuring.py)."""

from .agreements import (
    agreement_create,
    agreement_detail,
    agreement_list,
    agreement_plan,
    agreement_scan,
    meeting_held,
    progress_create,
    review_create,
    review_detail,
    task_delete,
    task_edit,
)
from .emulation import model_create, model_list, model_list_xlsx, model_year
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
from .wishes import wish_create, wish_follow_up, wish_list

__all__ = [
    "agency_detail",
    "agency_list",
    "agency_merge",
    "agency_rename",
    "agency_split",
    "agreement_create",
    "agreement_detail",
    "agreement_list",
    "agreement_plan",
    "agreement_scan",
    "healthz",
    "home",
    "meeting_held",
    "model_create",
    "model_list",
    "model_list_xlsx",
    "model_year",
    "progress_create",
    "reassign",
    "regime_replace",
    "restructuring_list",
    "review_create",
    "review_detail",
    "task_delete",
    "task_edit",
    "unit_merge",
    "village_detail",
    "village_figures",
    "village_list",
    "wish_create",
    "wish_follow_up",
    "wish_list",
]
