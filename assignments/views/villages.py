"""A village's page: where it lay over time, who twinned with it, its figures year by year."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..forms import VillageFiguresForm
from ..models import Assignment, Village, VillageYearFigures
from .permissions import show_errors


def visible_villages(user):
    """Every village for coordinators and viewers; a reporter's: those its parties twinned
    with, at any time."""
    villages = Village.objects.all()
    if not user.sees_all_agencies:
        villages = villages.filter(
            pk__in=Assignment.objects.filter(agency__in=user.agencies.all()).values("village_id")
        )
    return villages


def may_enter_figures(user, village):
    """Coordinators, and reporters of a party twinned with the village (at any time)."""
    if user.is_coordinator:
        return True
    return user.is_reporter and (
        Assignment.objects.filter(village=village, agency__in=user.agencies.all()).exists()
    )


def village_detail(request, pk):
    village = get_object_or_404(
        visible_villages(request.user)
        .select_related("commune__parent")
        .prefetch_related("ethnic_groups"),
        pk=pk,
    )
    today = timezone.localdate()
    locations = village.locations.select_related("commune__parent", "event").order_by("pk")
    commune_ids = [location.commune_id for location in locations]
    assignments = (
        Assignment.objects.filter(Q(village=village) | Q(commune_id__in=commune_ids))
        .select_related("agency", "directive", "commune")
        .order_by("-start_date", "pk")
    )
    return render(
        request,
        "assignments/village_detail.html",
        {
            "village": village,
            "locations": locations,
            "assignments": assignments,
            "figures": village.figures.order_by("-year"),
            "may_enter": may_enter_figures(request.user, village),
            "today": today,
            "this_year": today.year,
        },
    )


def village_figures(request, pk, year=None):
    """Enter (or correct) the village's figures of a year."""
    village = get_object_or_404(visible_villages(request.user), pk=pk)
    if not may_enter_figures(request.user, village):
        raise PermissionDenied
    instance = None
    if year is not None:
        instance = get_object_or_404(VillageYearFigures, village=village, year=year)
    initial = {"year": timezone.localdate().year} if instance is None else {}
    form = VillageFiguresForm(
        request.POST or None, instance=instance, village=village, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        figures = form.save(commit=False)
        figures._history_user = request.user
        try:
            figures.full_clean()
            figures.save()
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(
                request,
                _("The figures of %(year)s were saved.") % {"year": figures.year},
            )
            return redirect("village_detail", pk=village.pk)
    return render(
        request,
        "assignments/village_figures_form.html",
        {"village": village, "form": form, "instance": instance},
    )
