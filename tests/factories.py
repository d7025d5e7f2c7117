"""Plain helpers that make valid domain objects with sensible defaults."""

import datetime as dt
import itertools

from assignments.models import (
    AdministrativeUnit,
    Agency,
    Agreement,
    AgreementParty,
    Assignment,
    Directive,
    ExemplaryModel,
    ModelYear,
    ReportingRule,
    Village,
    VillageYearFigures,
)

_counter = itertools.count(1)

Unit = AdministrativeUnit


def make_province(name="Gia Lai", **kwargs):
    return Unit.objects.create(level=Unit.Level.PROVINCE, unit_type="tinh", name=name, **kwargs)


def make_district(name="Chư Păh", parent=None, **kwargs):
    parent = parent or make_province(name=f"Tỉnh {next(_counter)}")
    return Unit.objects.create(
        level=Unit.Level.DISTRICT, unit_type="huyen", name=name, parent=parent, **kwargs
    )


def make_commune(name="Ia Kreng", parent=None, **kwargs):
    parent = parent or make_district(name=f"Huyện {next(_counter)}")
    return Unit.objects.create(
        level=Unit.Level.COMMUNE, unit_type="xa", name=name, parent=parent, **kwargs
    )


def make_village(name=None, commune=None, **kwargs):
    return Village.objects.create(
        name=name or f"Làng {next(_counter)}",
        commune=commune or make_commune(name=f"Xã {next(_counter)}"),
        **kwargs,
    )


def make_agency(name=None, **kwargs):
    kwargs.setdefault("kind", Agency.Kind.GOVERNMENT)
    return Agency.objects.create(name=name or f"Sở {next(_counter)}", **kwargs)


def make_directive(number=None, issued_on=dt.date(2024, 2, 27), **kwargs):
    kwargs.setdefault("kind", Directive.Kind.LETTER)
    kwargs.setdefault("issuing_body", "UBND tỉnh Gia Lai")
    kwargs.setdefault("title", "Về việc triển khai công tác kết nghĩa")
    return Directive.objects.create(
        number=number or f"{next(_counter)}/UBND-NC", issued_on=issued_on, **kwargs
    )


_NEW = object()


def make_assignment(
    agency=None, village=_NEW, directive=None, start_date=dt.date(2024, 2, 27), **kwargs
):
    """An assignment with a new village, unless ``village`` (or None with a ``commune``)."""
    return Assignment.objects.create(
        directive=directive or make_directive(),
        agency=agency or make_agency(),
        village=make_village() if village is _NEW else village,
        start_date=start_date,
        **kwargs,
    )


def make_figures(village, year=2024, **kwargs):
    return VillageYearFigures.objects.create(village=village, year=year, **kwargs)


def make_yearly_rule(directive=None, month=11, day=10, first_year=2024, last_year=2026, **kwargs):
    kwargs.setdefault("label", "Báo cáo hằng năm")
    return ReportingRule.objects.create(
        directive=directive or make_directive(),
        frequency=ReportingRule.Frequency.YEARLY,
        due_month=month,
        due_day=day,
        first_year=first_year,
        last_year=last_year,
        **kwargs,
    )


def make_once_rule(directive=None, due_date=dt.date(2024, 3, 25), **kwargs):
    kwargs.setdefault("label", "Báo cáo kết quả tổ chức kết nghĩa")
    return ReportingRule.objects.create(
        directive=directive or make_directive(),
        frequency=ReportingRule.Frequency.ONCE,
        due_date=due_date,
        **kwargs,
    )


def make_programme(parties, created_by, **kwargs):
    """A coordination programme of ``parties`` (agencies, in order), without contents."""
    kwargs.setdefault("name", "Chương trình phối hợp công tác dân vận giai đoạn 2022-2026")
    kwargs.setdefault("number", f"{next(_counter)}-CTr/BDV")
    kwargs.setdefault("signed_on", dt.date(2022, 3, 1))
    kwargs.setdefault("first_year", 2022)
    kwargs.setdefault("last_year", 2026)
    agreement = Agreement.objects.create(
        kind=Agreement.Kind.PROGRAMME, created_by=created_by, **kwargs
    )
    for order, agency in enumerate(parties):
        AgreementParty.objects.create(agreement=agreement, agency=agency, order=order)
    return agreement


def make_model(agency, name=None, years=(), **kwargs):
    """An exemplary model of ``agency`` with its ``years``: (year, status, level) triples."""
    kwargs.setdefault("field", ExemplaryModel.Field.ECONOMY)
    kwargs.setdefault("owner", ExemplaryModel.Owner.AGENCY)
    kwargs.setdefault("start_year", 2024)
    name = name or f"Mô hình {next(_counter)}"
    model = ExemplaryModel.objects.create(
        name=name, agency=agency, description=kwargs.pop("description", name), **kwargs
    )
    for year, status, level in years:
        ModelYear.objects.create(model=model, year=year, status=status, level=level)
    return model
