"""The assignment's status lifecycle. Pure: which status may follow which.

Statuses say what happened to an assignment; whether it counts on a date is decided by its
start and end dates alone (an end decided today for next month ends nothing before then).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ASSIGNED = "assigned"
CEREMONY_HELD = "ceremony_held"
ACTIVE = "active"
REASSIGNED = "reassigned"
TRANSFERRED = "transferred"
ENDED = "ended"

STATUS_CHOICES = [
    (ASSIGNED, _("Assigned")),
    (CEREMONY_HELD, _("Ceremony held")),
    (ACTIVE, _("Active")),
    (REASSIGNED, _("Reassigned")),
    # Passed on, without a new ceremony, to a successor party, a successor commune or the
    # document that replaced its own.
    (TRANSFERRED, _("Passed on")),
    (ENDED, _("Ended")),
]

# Statuses in which the assignment has not been closed (its end, if any, was not decided by
# a reassignment, a transfer or an ending).
RUNNING = (ASSIGNED, CEREMONY_HELD, ACTIVE)
# Closed by being replaced by another assignment (``replaced_by``).
REPLACED = (REASSIGNED, TRANSFERRED)

ALLOWED_TRANSITIONS = {
    ASSIGNED: {CEREMONY_HELD, REASSIGNED, TRANSFERRED, ENDED},
    CEREMONY_HELD: {ACTIVE, REASSIGNED, TRANSFERRED, ENDED},
    ACTIVE: {REASSIGNED, TRANSFERRED, ENDED},
    REASSIGNED: set(),
    TRANSFERRED: set(),
    ENDED: set(),
}


class InvalidTransition(ValidationError):
    pass


def check_transition(current, target):
    """Raise InvalidTransition, with a message for the user, unless current → target is allowed."""
    labels = dict(STATUS_CHOICES)
    if target not in labels:
        raise InvalidTransition(_("Unknown status “%(status)s”."), params={"status": target})
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(
            _("An assignment cannot go from “%(current)s” to “%(target)s”."),
            params={"current": labels[current], "target": labels[target]},
            code="invalid_transition",
        )
