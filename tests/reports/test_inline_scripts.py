"""No page carries inline script, so that the Content-Security-Policy (scripts from our own
origin only) can forbid it without breaking anything: every page of the authorisation matrix
for every role, and the administration pages, import and export included."""

import contextlib
import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from assignments.models import Directive
from tests.assignments.conftest import DIP
from tests.reports.test_authorisation import ROLES, log_in, matrix_urls
from tests.spreadsheets import assignment_list

pytestmark = pytest.mark.django_db

EVENT_HANDLER = re.compile(r"on[a-z]+")
# Script elements that browsers do not run (data blocks such as Django's json_script).
DATA_TYPES = {"application/json", "application/ld+json"}


class InlineScripts(HTMLParser):
    """Collects inline event handler attributes and script elements without ``src``."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if EVENT_HANDLER.fullmatch(name):
                self.found.append(f"<{tag} {name}=…>")
        if (
            tag == "script"
            and not attrs.get("src")
            and (attrs.get("type") or "").lower() not in DATA_TYPES
        ):
            self.found.append("<script> without src")
        for name, value in attrs.items():
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_scripts(response):
    if "html" not in response.get("Content-Type", ""):
        return []
    parser = InlineScripts()
    parser.feed(response.content.decode())
    return parser.found


def check(response, url, problems):
    if response.status_code >= 500:
        problems.append(f"{url}: status {response.status_code}")
    for found in inline_scripts(response):
        problems.append(f"{url}: {found}")


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_the_matrix_carries_inline_script(client, scene, request, role):
    log_in(client, request, role)
    problems = []
    for url, _expected in matrix_urls(scene):
        check(client.get(url, follow=True), url, problems)
    assert problems == []


def admin_urls():
    """The administration's pages: index, and each model's list, form to add, first object,
    and its import and export pages where it has them."""
    yield reverse("admin:index")
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{info}_changelist")
        yield reverse(f"{info}_add")  # a 403 where adding is not offered
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield reverse(f"{info}_change", args=[first.pk])
            yield reverse(f"{info}_history", args=[first.pk])
        for page in ("import", "export"):
            with contextlib.suppress(NoReverseMatch):
                yield reverse(f"{info}_{page}")


def test_no_administration_page_carries_inline_script(client, scene, superuser):
    client.force_login(superuser)
    problems = []
    for url in admin_urls():
        check(client.get(url), url, problems)
    # The import preview, with its table of rows.
    upload = io.BytesIO(assignment_list([DIP]))
    upload.name = "ds.xlsx"
    url = reverse("admin:assignments_assignment_import")
    response = client.post(
        url,
        {
            "import_file": upload,
            "format": "0",
            "resource": "0",
            "directive": Directive.objects.get(number="345/UBND-NC").pk,
        },
    )
    assert response.context["confirm_form"] is not None  # the preview, ready to confirm
    check(response, f"{url} (preview)", problems)
    assert problems == []
