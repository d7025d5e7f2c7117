"""The register of exemplary models: the year's "Dân vận khéo" table by field and level, the
models with what became of them that year (on the page and as .xlsx), recording a model and
its year."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX

from ..forms import ExemplaryModelForm, ModelYearForm
from ..models import ExemplaryModel, ModelYear
from ..models.emulation import summary
from ..resources import ModelRegisterResource, export_file_name
from .permissions import records_work


def _register(request):
    """(year, field, query, models) of the register's filters, within what the user may see."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    field = request.GET.get("field", "")
    models = ExemplaryModel.objects.visible_to(request.user)
    if field in ExemplaryModel.Field.values:
        models = models.filter(field=field)
    query = request.GET.get("q", "").strip()
    if query:
        models = models.search(query)
    return year, field, query, models


def model_list(request):
    year, field, query, models = _register(request)
    models = models.select_related("agency", "commune", "village").prefetch_related(
        Prefetch("years", queryset=ModelYear.objects.filter(year=year), to_attr="this_year")
    )
    page = Paginator(models, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "assignments/model_list.html",
        {
            "page": page,
            "year": year,
            "field": field,
            "q": query,
            "fields": ExemplaryModel.Field.choices,
            "summary": summary(year, ExemplaryModel.objects.visible_to(request.user)),
            "may_record": records_work(request.user),
            "export_query": urlencode({"year": year, "field": field, "q": query}),
        },
    )


def model_list_xlsx(request):
    """The register as on the page (year, field, search), a row per model of that year, in
    the columns its import reads."""
    year, _field, _query, models = _register(request)
    resource = ModelRegisterResource()
    data = XLSX().export_data(resource.export(ModelRegisterResource.rows(models, year)))
    response = HttpResponse(data, content_type=XLSX().get_content_type())
    name = export_file_name(f"mo-hinh-dien-hinh-nam-{year}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def model_create(request):
    if not records_work(request.user):
        raise PermissionDenied
    form = ExemplaryModelForm(request.POST or None, request.FILES or None, user=request.user)
    year_form = ModelYearForm(
        request.POST or None,
        prefix="year",
        initial={"year": timezone.localdate().year, "status": ModelYear.Status.REGISTERED},
    )
    if request.method == "POST" and form.is_valid() and year_form.is_valid():
        with transaction.atomic():
            model = form.save()
            model._history_user = request.user
            entry = year_form.save(commit=False)
            entry.model = model
            entry.full_clean()
            entry.save()
        messages.success(request, _("The model was registered."))
        return redirect(f"{_list_url()}?year={entry.year}")
    return render(request, "assignments/model_form.html", {"form": form, "year_form": year_form})


def model_year(request, pk):
    """What became of a model in a year: registered, judged effective, commended."""
    model = get_object_or_404(ExemplaryModel.objects.visible_to(request.user), pk=pk)
    if not records_work(request.user):
        raise PermissionDenied
    year = request.GET.get("year") or request.POST.get("year")
    existing = model.years.filter(year=year).first() if str(year).isdigit() else None
    form = ModelYearForm(request.POST or None, instance=existing, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.model = model
        try:
            entry.full_clean()
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            form.add_error("year", _("This year is already recorded for the model."))
        else:
            messages.success(request, _("The model's year was recorded."))
            return redirect(f"{_list_url()}?year={entry.year}")
    return render(request, "assignments/model_year_form.html", {"form": form, "model": model})


def _list_url():
    return reverse("model_list")
