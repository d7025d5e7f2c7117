"""Villagers' wishes: the open ones by age and by the body they wait on, recording one, and
its follow-up. Parties' officers see what their agencies recorded or were passed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..forms import WishFollowUpForm, WishForm
from ..models import Wish
from .permissions import records_work


def wish_list(request):
    today = timezone.localdate()
    wishes = Wish.objects.visible_to(request.user).select_related(
        "village__commune", "agency", "passed_to"
    )
    status = request.GET.get("status", "open")
    if status == "open":
        wishes = wishes.open()
    elif status in Wish.Status.values:
        wishes = wishes.filter(status=status)
    page = Paginator(wishes.order_by("raised_on", "pk"), 25).get_page(request.GET.get("page"))
    for wish in page.object_list:
        wish.age = (today - wish.raised_on).days
    waiting = {}
    for wish in Wish.objects.visible_to(request.user).open().select_related("passed_to"):
        key = wish.waits_on or _("not passed on yet")
        entry = waiting.setdefault(key, {"body": key, "count": 0, "oldest": wish.raised_on})
        entry["count"] += 1
        entry["oldest"] = min(entry["oldest"], wish.raised_on)
    return render(
        request,
        "assignments/wish_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Wish.Status.choices,
            "waiting": sorted(waiting.values(), key=lambda e: e["oldest"]),
            "may_record": records_work(request.user),
        },
    )


def wish_create(request):
    if not records_work(request.user):
        raise PermissionDenied
    form = WishForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            wish = form.save(commit=False)
            wish.recorded_by = request.user
            wish._history_user = request.user
            wish.save()
        messages.success(request, _("The wish was recorded."))
        return redirect("wish_list")
    return render(request, "assignments/wish_form.html", {"form": form})


def wish_follow_up(request, pk):
    wish = get_object_or_404(Wish.objects.visible_to(request.user), pk=pk)
    if not records_work(request.user):
        raise PermissionDenied
    form = WishFollowUpForm(request.POST or None, instance=wish)
    if request.method == "POST" and form.is_valid():
        wish = form.save(commit=False)
        wish._history_user = request.user
        wish.save()
        messages.success(request, _("The follow-up was recorded."))
        return redirect("wish_list")
    return render(request, "assignments/wish_form.html", {"form": form, "wish": wish})
