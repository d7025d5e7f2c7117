from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from assignments import views as assignment_views

admin.site.site_header = _("Twinning work management")
admin.site.site_title = _("Twinning work")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", assignment_views.home, name="home"),
    path("healthz", assignment_views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("agencies/", assignment_views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", assignment_views.agency_detail, name="agency_detail"),
    path("villages/", assignment_views.village_list, name="village_list"),
    path("assignments/<int:pk>/reassign/", assignment_views.reassign, name="reassign"),
    path("", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
