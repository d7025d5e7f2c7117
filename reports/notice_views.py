"""The bell: each user's own notices, read or not, and their choice of notices by email.
Every lookup goes through ``request.user.notices``: another user's notice is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import NoticeSettingsForm

PAGE_SIZE = 25


def notice_list(request):
    """Newest first; the unread ones marked."""
    notices = request.user.notices.order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/notice_list.html", {"page": page})


@require_POST
def notice_open(request, pk):
    """Mark the notice read and go where it points."""
    notice = get_object_or_404(request.user.notices, pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    # Our own links, written at creation; checked anyway, like any redirect target.
    if notice.url and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url)
    return redirect("reports:notice_list")


@require_POST
def notice_read_all(request):
    count = request.user.notices.unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("%(count)d notices marked as read.") % {"count": count})
    return redirect("reports:notice_list")


def my_settings(request):
    """The user's own settings: notices by email."""
    data = request.POST if request.method == "POST" else None  # an unticked box posts nothing
    form = NoticeSettingsForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save(update_fields=["notify_by_email"])
        messages.success(request, _("Your settings were saved."))
        return redirect("reports:my_settings")
    return render(request, "reports/my_settings.html", {"form": form})
