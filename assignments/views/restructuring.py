"""The coordinators' restructuring pages: each change of the world is previewed (every step
in words) and applied only when the coordinator confirms the plan they saw."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import restructuring
from ..forms import (
    AgencyMergeForm,
    AgencyRenameForm,
    AgencySplitForm,
    RegimeReplaceForm,
    UnitMergeForm,
)
from ..models import RestructuringEvent
from .permissions import coordinator_required, show_errors


@coordinator_required
def restructuring_list(request):
    events = RestructuringEvent.objects.select_related("document", "created_by")
    return render(
        request,
        "assignments/restructuring_list.html",
        {"page": Paginator(events, 25).get_page(request.GET.get("page"))},
    )


def _initial(request, **parameters):
    """Rows chosen elsewhere (an agency's page, an admin action): ?agencies=1,2."""
    initial = {}
    for name, multiple in parameters.items():
        ids = [int(p) for p in request.GET.get(name, "").split(",") if p.strip().isdigit()]
        if ids:
            initial[name] = ids if multiple else ids[0]
    return initial


def _operation(request, *, form_class, preview, apply, title, help_text, initial=None):
    """One page for every restructuring: form → preview → confirm."""
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=initial or {})
    plan = None
    if data is not None and form.is_valid():
        plan = preview(**form.preview_arguments())
        action = request.POST.get("action")
        if action == "confirm" and plan.ok:
            if request.POST.get("fingerprint") != plan.fingerprint():
                messages.warning(
                    request,
                    _("The data changed since the preview. Check the new plan and confirm again."),
                )
            else:
                try:
                    event = apply(
                        **form.preview_arguments(), by=request.user, **form.record_arguments()
                    )
                except ValidationError as error:
                    show_errors(request, error)
                else:
                    messages.success(
                        request,
                        _("Recorded: %(summary)s.") % {"summary": event.summary},
                    )
                    return redirect("restructuring_list")
    return render(
        request,
        "assignments/restructuring_form.html",
        {"form": form, "plan": plan, "title": title, "help_text": help_text},
    )


@coordinator_required
def agency_merge(request):
    return _operation(
        request,
        form_class=AgencyMergeForm,
        preview=restructuring.agency_merge_preview,
        apply=restructuring.agency_merge,
        title=gettext_lazy("Merge parties"),
        help_text=gettext_lazy(
            "Several parties become one from a date. Their running assignments pass to the "
            "successor from that date, without a new ceremony; their reports stay under their "
            "old names; their reporters join the successor."
        ),
        initial=_initial(request, agencies=True),
    )


@coordinator_required
def agency_split(request):
    return _operation(
        request,
        form_class=AgencySplitForm,
        preview=restructuring.agency_split_preview,
        apply=restructuring.agency_split,
        title=gettext_lazy("Split a party"),
        help_text=gettext_lazy(
            "One party's work is divided between several from a date. Choose the successors, "
            "preview, then choose for each running assignment who takes it."
        ),
        initial=_initial(request, agency=False),
    )


@coordinator_required
def agency_rename(request):
    return _operation(
        request,
        form_class=AgencyRenameForm,
        preview=restructuring.agency_rename_preview,
        apply=restructuring.agency_rename,
        title=gettext_lazy("Rename a party"),
        help_text=gettext_lazy(
            "The same body under a new name from a date. What it did before keeps the old "
            "name; its assignments and reporters pass to the new name."
        ),
        initial=_initial(request, agency=False),
    )


@coordinator_required
def unit_merge(request):
    return _operation(
        request,
        form_class=UnitMergeForm,
        preview=restructuring.unit_merge_preview,
        apply=restructuring.unit_merge,
        title=gettext_lazy("Merge communes or wards"),
        help_text=gettext_lazy(
            "Communes or wards become one from a date. Their villages move to it (their "
            "history keeps the old commune and district), twinnings with a whole commune "
            "pass on, the communes' own twinning parties merge, and a district left without "
            "communes ends."
        ),
        initial=_initial(request, units=True),
    )


@coordinator_required
def regime_replace(request):
    return _operation(
        request,
        form_class=RegimeReplaceForm,
        preview=restructuring.regime_replace_preview,
        apply=restructuring.regime_replace,
        title=gettext_lazy("Replace a document by a new one"),
        help_text=gettext_lazy(
            "A directive or plan replaced from a date: its deadlines after that date are no "
            "longer due. Tick the twinnings that continue under the new document (same pair, "
            "no new ceremony); the others end."
        ),
        initial=_initial(request, directive=False),
    )
