from django.conf import settings


def site(request):
    return {"COORDINATOR_NAME": settings.COORDINATOR_NAME, "PROVINCE_NAME": settings.PROVINCE_NAME}
