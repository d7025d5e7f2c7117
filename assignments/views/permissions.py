"""What the pages of both apps share: role checks and showing a refusal's messages."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied


def coordinator_required(view):
    """Coordinators and administrators."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_coordinator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def show_errors(request, error):
    """Each message of a ValidationError (or of an invalid form's fields, for a form posted
    from another page) as an error message on the next page."""
    if hasattr(error, "messages"):
        found = error.messages
    else:
        found = [message for field in error.errors.values() for message in field]
    for message in found:
        messages.error(request, message)


def records_work(user):
    """Who records the follow-up of twinning work (agreements, models, wishes): coordinators
    and parties' officers; viewers read."""
    return user.is_coordinator or user.is_reporter
