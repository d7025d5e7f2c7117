from django.utils.functional import SimpleLazyObject

from .models import Notice


def notices(request):
    """The bell's count of unread notices: one query, and only on a page that shows it (none
    for anonymous users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "UNREAD_NOTICES": SimpleLazyObject(
            lambda: Notice.objects.unread().filter(recipient=user).count()
        )
    }
