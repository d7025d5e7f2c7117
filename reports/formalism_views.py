"""Pages of the formalism signal: every flag, with filters, and setting one aside. Flags are
for the coordinating body: coordinators read and set aside, viewers read, reporters see none
(a flag names other agencies, and the agencies are not its audience)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assignments.views.permissions import coordinator_required, show_errors

from . import formalism
from .forms import FlagDismissForm, FlagFilterForm
from .views import paginate, tracking_required


@tracking_required
def flag_list(request):
    form = FlagFilterForm(request.GET or None)
    kind, year, dismissed = form.filters()
    found = formalism.flags(
        year=year,
        kinds=[kind] if kind else None,
        today=timezone.localdate(),
        dismissed=dismissed,
    )
    return render(
        request,
        "reports/flag_list.html",
        {
            "form": form,
            "page": paginate(request, found),
            "dismiss_form": FlagDismissForm(),
            "settings": {
                "percent": formalism.SIMILAR_PERCENT,
                "months": formalism.FOLLOW_UP_MONTHS,
            },
        },
    )


@require_POST
@coordinator_required
def flag_dismiss(request):
    form = FlagDismissForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("reports:flag_list")
    if not form.is_valid():
        show_errors(request, form)
        return redirect(target)
    data = form.cleaned_data
    try:
        formalism.flag_dismiss(
            kind=data["kind"],
            key=data["key"],
            note=data["note"],
            by=request.user,
            today=timezone.localdate(),
        )
    except formalism.DismissalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The flag was set aside with your note."))
    return redirect(target)
