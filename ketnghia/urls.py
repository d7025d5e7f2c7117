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
    path("villages/<int:pk>/", assignment_views.village_detail, name="village_detail"),
    path(
        "villages/<int:pk>/figures/new/",
        assignment_views.village_figures,
        name="village_figures_new",
    ),
    path(
        "villages/<int:pk>/figures/<int:year>/",
        assignment_views.village_figures,
        name="village_figures",
    ),
    path("assignments/<int:pk>/reassign/", assignment_views.reassign, name="reassign"),
    path("agreements/", assignment_views.agreement_list, name="agreement_list"),
    path("agreements/new/", assignment_views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", assignment_views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/scan/", assignment_views.agreement_scan, name="agreement_scan"),
    path(
        "agreements/<int:pk>/meetings/<int:meeting_pk>/held/",
        assignment_views.meeting_held,
        name="meeting_held",
    ),
    path(
        "agreements/<int:pk>/progress/",
        assignment_views.progress_create,
        name="agreement_progress",
    ),
    path("agreements/<int:pk>/plan/", assignment_views.agreement_plan, name="agreement_plan"),
    path(
        "agreements/<int:pk>/tasks/<int:task_pk>/",
        assignment_views.task_edit,
        name="agreement_task_edit",
    ),
    path(
        "agreements/<int:pk>/tasks/<int:task_pk>/delete/",
        assignment_views.task_delete,
        name="agreement_task_delete",
    ),
    path(
        "agreements/<int:pk>/reviews/new/",
        assignment_views.review_create,
        name="agreement_review_create",
    ),
    path(
        "agreements/<int:pk>/reviews/<int:review_pk>/",
        assignment_views.review_detail,
        name="agreement_review",
    ),
    path("models/", assignment_views.model_list, name="model_list"),
    path("models/export.xlsx", assignment_views.model_list_xlsx, name="model_list_xlsx"),
    path("models/new/", assignment_views.model_create, name="model_create"),
    path("models/<int:pk>/year/", assignment_views.model_year, name="model_year"),
    path("wishes/", assignment_views.wish_list, name="wish_list"),
    path("wishes/new/", assignment_views.wish_create, name="wish_create"),
    path("wishes/<int:pk>/", assignment_views.wish_follow_up, name="wish_follow_up"),
    path("restructuring/", assignment_views.restructuring_list, name="restructuring_list"),
    path("restructuring/agency-merge/", assignment_views.agency_merge, name="agency_merge"),
    path("restructuring/agency-split/", assignment_views.agency_split, name="agency_split"),
    path("restructuring/agency-rename/", assignment_views.agency_rename, name="agency_rename"),
    path("restructuring/unit-merge/", assignment_views.unit_merge, name="unit_merge"),
    path(
        "restructuring/document-replaced/",
        assignment_views.regime_replace,
        name="regime_replace",
    ),
    path("", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
