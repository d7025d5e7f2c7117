from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from assignments.models import coordinating_body_name

CACHE_SECONDS = 300


def current_coordinating_body():
    """Today's coordinating body, from the data; cached briefly since it changes once in years
    (a restructuring clears it at once in the process that applies it)."""
    key = f"coordinating-body:{timezone.localdate().isoformat()}"
    name = cache.get(key)
    if name is None:
        name = coordinating_body_name()
        cache.set(key, name, CACHE_SECONDS)
    return name


def site(request):
    return {
        "COORDINATOR_NAME": SimpleLazyObject(current_coordinating_body),
        "PROVINCE_NAME": settings.PROVINCE_NAME,
    }
