"""The authorisation matrix: every URL pattern, every role, the expected status. A new view
without a rule here fails the suite."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reporter", "coordinator", "viewer", "superuser"]
LOGIN = 302  # anonymous users are sent to the login page


def everyone(status):
    return dict.fromkeys(ROLES, status)


def logged_in(status, **overrides):
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], status), **overrides}


def reporter_only(status=200):
    return {
        "anonymous": LOGIN,
        "reporter": status,
        "coordinator": 403,
        "viewer": 403,
        "superuser": 403,
    }


def tracking(status=200):
    """Coordinators, viewers (read-only) and administrators."""
    return {
        "anonymous": LOGIN,
        "reporter": 403,
        "coordinator": status,
        "viewer": status,
        "superuser": status,
    }


def coordinator_only(status=200):
    return {
        "anonymous": LOGIN,
        "reporter": 403,
        "coordinator": status,
        "viewer": 403,
        "superuser": status,
    }


# URL name → list of (kwargs builder, expected statuses by role). Objects of the reporter's
# own agency ("own_*") and of another agency ("other_*"): the reporter gets 404 for the latter.
RULES = {
    "home": [({}, logged_in(302))],
    "healthz": [({}, everyone(200))],
    "login": [({}, everyone(200))],
    "logout": [({}, logged_in(405))],
    "password_change": [({}, logged_in(200))],
    "password_change_done": [({}, logged_in(200))],
    "password_reset": [({}, everyone(200))],
    "password_reset_done": [({}, everyone(200))],
    "password_reset_confirm": [({"uidb64": "MQ", "token": "x-y"}, everyone(200))],
    "password_reset_complete": [({}, everyone(200))],
    "agency_list": [({}, logged_in(200))],
    "agency_detail": [
        ({"pk": "own_agency"}, logged_in(200)),
        ({"pk": "other_agency"}, logged_in(200, reporter=404)),
    ],
    "village_list": [({}, logged_in(200))],
    "reports:activity_list": [({}, logged_in(200))],
    "reports:activity_create": [({}, reporter_only())],
    "reports:activity_edit": [
        ({"pk": "own_activity"}, reporter_only()),
        ({"pk": "other_activity"}, reporter_only(404)),
    ],
    "reports:deadline_list": [({}, logged_in(200))],
    "reports:deadline_move": [({"pk": "deadline"}, coordinator_only())],
    "reports:report_list": [({}, logged_in(200))],
    "reports:report_open": [
        ({"deadline_pk": "deadline", "agency_pk": "own_agency"}, logged_in(302)),
        ({"deadline_pk": "deadline", "agency_pk": "other_agency"}, logged_in(302, reporter=404)),
        ({"deadline_pk": "deadline", "agency_pk": "unrelated_agency"}, logged_in(404)),
    ],
    "reports:report_detail": [
        ({"pk": "own_report"}, logged_in(200)),
        ({"pk": "other_report"}, logged_in(200, reporter=404)),
    ],
    "reports:report_scan": [
        ({"pk": "own_report"}, logged_in(200)),
        ({"pk": "other_report"}, logged_in(200, reporter=404)),
    ],
    # GET asks for confirmation (a submitted report: back to its page), POST submits.
    "reports:report_submit": [
        ({"pk": "own_report"}, reporter_only(302)),
        ({"pk": "other_report"}, reporter_only(404)),
    ],
    "reports:report_return": [({"pk": "own_report"}, logged_in(405))],
    "reports:report_accept": [({"pk": "own_report"}, logged_in(405))],
    "reports:version_detail": [
        ({"pk": "own_report", "number": 1}, logged_in(200)),
        ({"pk": "other_report", "number": 1}, logged_in(200, reporter=404)),
    ],
    "reports:version_scan": [
        ({"pk": "own_report", "number": 1}, logged_in(200)),
        ({"pk": "other_report", "number": 1}, logged_in(200, reporter=404)),
    ],
    "reports:review_queue": [({}, coordinator_only())],
    "reports:extension_list": [({}, logged_in(200))],
    "reports:extension_request": [
        ({"deadline_pk": "later", "agency_pk": "own_agency"}, reporter_only()),
        ({"deadline_pk": "later", "agency_pk": "other_agency"}, reporter_only(404)),
    ],
    "reports:extension_decide": [({"pk": "own_extension"}, logged_in(405))],
    "reports:audit_log": [({}, coordinator_only())],
    "reports:dashboard": [({}, tracking())],
    "reports:matrix": [({}, tracking())],
    "reports:matrix_xlsx": [({}, tracking())],
    "reports:search": [({"_query": "q=lang"}, logged_in(200))],
    "reports:flag_list": [({}, tracking()), ({"_query": "year=abc&kind=x"}, tracking())],
    "reports:flag_dismiss": [({}, logged_in(405))],
    "reports:calendar_list": [({}, logged_in(200, viewer=403))],
    "reports:calendar_create_own": [({}, logged_in(405))],
    "reports:calendar_create": [({"agency_pk": "own_agency"}, logged_in(405))],
    "reports:calendar_revoke": [({"pk": "own_feed"}, logged_in(405))],
    "reports:calendar_feed": [({"token": "own_feed_token"}, everyone(200))],
    "reassign": [({"pk": "own_assignment"}, coordinator_only())],
    "village_detail": [
        ({"pk": "own_village"}, logged_in(200)),
        ({"pk": "other_village"}, logged_in(200, reporter=404)),
    ],
    "village_figures_new": [
        ({"pk": "own_village"}, logged_in(200, viewer=403)),
        ({"pk": "other_village"}, logged_in(200, viewer=403, reporter=404)),
    ],
    "village_figures": [
        ({"pk": "own_village", "year": 2024}, logged_in(200, viewer=403)),
        ({"pk": "other_village", "year": 2024}, logged_in(200, viewer=403, reporter=404)),
    ],
    "restructuring_list": [({}, coordinator_only())],
    "agency_merge": [({}, coordinator_only())],
    "agency_split": [({}, coordinator_only())],
    "agency_rename": [({}, coordinator_only())],
    "unit_merge": [({}, coordinator_only())],
    "regime_replace": [({}, coordinator_only())],
    "reports:document_list": [({}, logged_in(200))],
    "reports:document_create": [
        ({"kind": "consolidated"}, coordinator_only()),
        ({"kind": "agency_report"}, logged_in(200, viewer=403)),
    ],
    "reports:document_detail": [
        ({"pk": "own_document"}, logged_in(200)),
        ({"pk": "other_document"}, logged_in(200, reporter=404)),
    ],
    "reports:document_pdf": [
        ({"pk": "own_document"}, logged_in(200)),
        ({"pk": "other_document"}, logged_in(200, reporter=404)),
    ],
    "reports:document_xlsx": [
        ({"pk": "own_document"}, logged_in(200)),
        ({"pk": "other_document"}, logged_in(200, reporter=404)),
    ],
    "reports:document_docx": [
        ({"pk": "own_document"}, logged_in(200)),
        ({"pk": "other_document"}, logged_in(200, reporter=404)),
    ],
    "reports:register": [({}, logged_in(200))],
    # Each user's own notices (looked up through request.user.notices) and settings.
    "reports:notice_list": [({}, logged_in(200))],
    "reports:notice_open": [({"pk": 1}, logged_in(405))],
    "reports:notice_read_all": [({}, logged_in(405))],
    "reports:my_settings": [({}, logged_in(200))],
    "agreement_list": [({}, logged_in(200))],
    "agreement_create": [({}, logged_in(200, viewer=403))],
    "agreement_detail": [
        ({"pk": "own_agreement"}, logged_in(200)),
        ({"pk": "other_agreement"}, logged_in(200, reporter=404)),
    ],
    "agreement_scan": [
        ({"pk": "own_agreement"}, logged_in(200)),
        ({"pk": "other_agreement"}, logged_in(200, reporter=404)),
    ],
    "meeting_held": [({"pk": "own_agreement", "meeting_pk": 1}, logged_in(405))],
    "agreement_progress": [({"pk": "own_agreement"}, logged_in(405))],
    "agreement_plan": [
        ({"pk": "own_agreement"}, logged_in(200)),
        ({"pk": "other_agreement"}, logged_in(200, reporter=404)),
    ],
    "agreement_task_edit": [
        ({"pk": "own_agreement", "task_pk": "own_task"}, logged_in(200, viewer=403)),
        (
            {"pk": "other_agreement", "task_pk": "other_task"},
            logged_in(200, viewer=403, reporter=404),
        ),
        ({"pk": "own_agreement", "task_pk": "other_task"}, logged_in(404, viewer=403)),
    ],
    "agreement_task_delete": [({"pk": "own_agreement", "task_pk": "own_task"}, logged_in(405))],
    "agreement_review_create": [
        ({"pk": "own_agreement"}, logged_in(200, viewer=403)),
        ({"pk": "other_agreement"}, logged_in(200, viewer=403, reporter=404)),
    ],
    "agreement_review": [
        ({"pk": "own_agreement", "review_pk": "own_review"}, logged_in(200)),
        ({"pk": "other_agreement", "review_pk": "other_review"}, logged_in(200, reporter=404)),
        ({"pk": "own_agreement", "review_pk": "other_review"}, logged_in(404)),
    ],
    "wish_list": [({}, logged_in(200))],
    "wish_create": [({}, logged_in(200, viewer=403))],
    "wish_follow_up": [
        ({"pk": "own_wish"}, logged_in(200, viewer=403)),
        ({"pk": "other_wish"}, logged_in(200, viewer=403, reporter=404)),
    ],
    "model_list": [({}, logged_in(200))],
    "model_list_xlsx": [({}, logged_in(200))],
    "model_create": [({}, logged_in(200, viewer=403))],
    "model_year": [
        ({"pk": "own_model"}, logged_in(200, viewer=403)),
        ({"pk": "other_model"}, logged_in(200, viewer=403, reporter=404)),
    ],
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in ("admin",) or str(pattern.pattern) == "i18n/":
                continue  # the Django admin checks its own permissions
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_rule():
    assert set(url_names()) == set(RULES)


def log_in(client, request, role):
    if role != "anonymous":
        fixture = {
            "reporter": "reporter",
            "coordinator": "coordinator_user",
            "viewer": "viewer",
            "superuser": "superuser",
        }[role]
        client.force_login(request.getfixturevalue(fixture))


def matrix_urls(scene):
    """Every URL of the matrix with the statuses expected by role, objects from ``scene``."""
    for name, rules in RULES.items():
        for kwargs, expected in rules:
            resolved = {
                k: scene[v].pk if isinstance(v, str) and v in scene else v
                for k, v in kwargs.items()
                if k != "_query"
            }
            if "token" in resolved:
                resolved["token"] = scene["own_feed"].token
            url = reverse(name, kwargs=resolved)
            if "_query" in kwargs:
                url += "?" + kwargs["_query"]
            yield url, expected


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix(client, scene, request, role):
    """One role walks every URL; all mismatches are reported together."""
    log_in(client, request, role)
    mismatches = []
    for url, expected in matrix_urls(scene):
        response = client.get(url)
        if response.status_code != expected[role]:
            mismatches.append(f"{url}: {response.status_code}, expected {expected[role]}")
        elif expected[role] == LOGIN and role == "anonymous":
            assert response.url.startswith(reverse("login")), url
        elif expected[role] == 404:
            body = response.content.decode()
            # Nothing of the other agency's objects leaks into the error page.
            assert scene["other_agency"].name not in body, url
    assert mismatches == []
