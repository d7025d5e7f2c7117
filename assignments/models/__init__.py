"""The domain of twinning work: units, villages, ethnic groups, parties (agencies), directives,
assignments, the reporting rules with their deadlines, and the restructurings that change them.

Names are stored cleaned (NFC, trimmed) and each searchable model keeps folded keys
(``name_key``, ``search_key``) in step on every write, bulk writes included, so that search
ignores diacritics and case on SQLite and PostgreSQL alike. Whether a row counts on a date is
decided by one rule (``base.in_force_q``) for every model that has a period.
"""

from .agencies import (
    Agency,
    AgencyAlias,
    AgencyMembership,
    AgencySuccession,
    User,
    coordinating_body_name,
)
from .agreements import (
    Agreement,
    AgreementContent,
    AgreementParty,
    AgreementReview,
    ContentProgress,
    ContentTask,
    Meeting,
    ReviewLine,
    Standing,
)
from .assignments import Assignment, overlap_message
from .base import VI_COLLATION, KeyedModel, KeyedQuerySet, in_force_q, is_in_force
from .directives import Directive, ReportingDeadline, ReportingRule
from .emulation import ExemplaryModel, ModelYear
from .ethnic import EthnicGroup
from .restructuring import RestructuringEvent
from .units import AdministrativeUnit, UnitSuccession
from .villages import Village, VillageLocation, VillageYearFigures
from .wishes import Wish

__all__ = [
    "VI_COLLATION",
    "AdministrativeUnit",
    "Agency",
    "AgencyAlias",
    "AgencyMembership",
    "AgencySuccession",
    "Agreement",
    "AgreementContent",
    "AgreementParty",
    "AgreementReview",
    "Assignment",
    "ContentProgress",
    "ContentTask",
    "Directive",
    "EthnicGroup",
    "ExemplaryModel",
    "KeyedModel",
    "KeyedQuerySet",
    "Meeting",
    "ModelYear",
    "ReportingDeadline",
    "ReportingRule",
    "RestructuringEvent",
    "ReviewLine",
    "Standing",
    "UnitSuccession",
    "User",
    "Village",
    "VillageLocation",
    "VillageYearFigures",
    "Wish",
    "coordinating_body_name",
    "in_force_q",
    "is_in_force",
    "overlap_message",
]
