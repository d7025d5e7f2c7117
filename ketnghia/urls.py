from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from assignments import views as assignment_views

admin.site.site_header = _("Twinning work management")
admin.site.site_title = _("Twinning work")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("healthz", assignment_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
