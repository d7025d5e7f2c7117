"""The assignment's status lifecycle. Pure: which status may follow which."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ASSIGNED = "assigned"
CEREMONY_HELD = "ceremony_held"
ACTIVE = "active"
REASSIGNED = "reassigned"
ENDED = "ended"

STATUS_CHOICES = [
    (ASSIGNED, _("Assigned")),
    (CEREMONY_HELD, _("Ceremony held")),
    (ACTIVE, _("Active")),
    (REASSIGNED, _("Reassigned")),
    (ENDED, _("Ended")),
]

# Statuses in which the assignment is still running (the agency is still twinned).
RUNNING = (ASSIGNED, CEREMONY_HELD, ACTIVE)

ALLOWED_TRANSITIONS = {
    ASSIGNED: {CEREMONY_HELD, REASSIGNED, ENDED},
    CEREMONY_HELD: {ACTIVE, REASSIGNED, ENDED},
    ACTIVE: {REASSIGNED, ENDED},
    REASSIGNED: set(),
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
