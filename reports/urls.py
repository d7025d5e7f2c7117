from django.urls import path

from . import calendar, document_views, formalism_views, notice_views, views

app_name = "reports"

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("deadlines/", views.deadline_list, name="deadline_list"),
    path("deadlines/<int:pk>/move/", views.deadline_move, name="deadline_move"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:deadline_pk>/<int:agency_pk>/", views.report_open, name="report_open"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/scan/", views.report_scan, name="report_scan"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path(
        "reports/<int:pk>/return/", views.report_review, {"action": "return"}, name="report_return"
    ),
    path(
        "reports/<int:pk>/accept/", views.report_review, {"action": "accept"}, name="report_accept"
    ),
    path("reports/<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("reports/<int:pk>/versions/<int:number>/scan/", views.version_scan, name="version_scan"),
    path("review/", views.review_queue, name="review_queue"),
    path("extensions/", views.extension_list, name="extension_list"),
    path(
        "extensions/new/<int:deadline_pk>/<int:agency_pk>/",
        views.extension_request,
        name="extension_request",
    ),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("audit/", views.audit_log, name="audit_log"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("compliance/", views.compliance_matrix, name="matrix"),
    path("compliance.xlsx", views.compliance_matrix_xlsx, name="matrix_xlsx"),
    path("search/", views.search, name="search"),
    path("flags/", formalism_views.flag_list, name="flag_list"),
    path("flags/dismiss/", formalism_views.flag_dismiss, name="flag_dismiss"),
    path("calendars/", calendar.calendar_list, name="calendar_list"),
    path("calendars/new/", calendar.calendar_create, name="calendar_create_own"),
    path("calendars/new/<int:agency_pk>/", calendar.calendar_create, name="calendar_create"),
    path("calendars/<int:pk>/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendar.feed, name="calendar_feed"),
    path("documents/", document_views.document_list, name="document_list"),
    path("documents/new/<str:kind>/", document_views.document_create, name="document_create"),
    path("documents/<int:pk>/", document_views.document_detail, name="document_detail"),
    path(
        "documents/<int:pk>/file.pdf",
        document_views.document_file,
        {"fmt": "pdf"},
        name="document_pdf",
    ),
    path(
        "documents/<int:pk>/file.xlsx",
        document_views.document_file,
        {"fmt": "xlsx"},
        name="document_xlsx",
    ),
    path(
        "documents/<int:pk>/file.docx",
        document_views.document_file,
        {"fmt": "docx"},
        name="document_docx",
    ),
    path("documents/register/", document_views.register_list, name="register"),
    path("notices/", notice_views.notice_list, name="notice_list"),
    path("notices/<int:pk>/open/", notice_views.notice_open, name="notice_open"),
    path("notices/read-all/", notice_views.notice_read_all, name="notice_read_all"),
    path("settings/", notice_views.my_settings, name="my_settings"),
]
