import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assignments.models import Agency, Directive, ReportingDeadline, User
from reports import documents
from reports.models import IssuedDocument, Report

Kind = IssuedDocument.Kind


class Command(BaseCommand):
    help = _("Render an official document to PDF (for scheduled or scripted use).")

    def add_arguments(self, parser):
        # (An invitation needs the pair, the time and the place: it is issued from its page.)
        parser.add_argument("kind", choices=[k for k in Kind.values if k != Kind.INVITATION])
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--directive", help=_("Number of the document, e.g. 345/UBND-NC"))
        parser.add_argument("--year", type=int, help=_("Year of the deadline, or last year"))
        parser.add_argument("--first-year", type=int, help=_("First year of a review"))
        parser.add_argument("--agency", help=_("Agency name, for its own report or plan"))
        parser.add_argument("--number", default="", help=_("Document number"))
        parser.add_argument("--signer", default="", help=_("Signer's name"))
        parser.add_argument("--user", default=None, help=_("Username recorded as issuer"))

    def handle(
        self,
        *args,
        kind,
        output,
        directive,
        year,
        first_year,
        agency,
        number,
        signer,
        user,
        **options,
    ):
        directive_obj = None
        if directive:
            directive_obj = Directive.objects.filter(number=directive).first()
            if directive_obj is None:
                raise CommandError(_("No document numbered “%(number)s”.") % {"number": directive})
        parameters = self.parameters(kind, directive_obj, year, first_year, agency)
        by = (User.objects.filter(username=user).first() if user else None) or (
            User.objects.filter(is_superuser=True).order_by("pk").first()
        )
        if by is None:
            raise CommandError(_("No user to record as issuer: pass --user."))
        fields = documents.default_fields(kind)
        fields["number"] = number or fields["number"]
        fields["signer_name"] = signer or fields["signer_name"] or "—"
        try:
            document = documents.document_issue(kind=kind, parameters=parameters, by=by, **fields)
            documents.render(document)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except (ValueError, LookupError) as error:
            raise CommandError(str(error)) from error
        output.write_bytes(document.pdf.read())
        self.stdout.write(
            _("%(pages)s pages written to %(file)s.") % {"pages": document.pages, "file": output}
        )

    def parameters(self, kind, directive, year, first_year, agency):
        def deadline():
            deadlines = ReportingDeadline.objects.filter(
                rule__reporter="agencies", rule__kind="report"
            )
            if directive:
                deadlines = deadlines.filter(rule__directive=directive)
            if year:
                deadlines = deadlines.filter(due_date__year=year)
            found = deadlines.order_by("-due_date").first()
            if found is None:
                raise CommandError(_("No reporting deadline matches."))
            return found

        if kind in (Kind.ASSIGNMENT_LIST, Kind.REVIEW) and directive is None:
            raise CommandError(_("Give --directive."))
        if kind == Kind.ASSIGNMENT_LIST:
            return {"directive": directive.pk}
        if kind == Kind.CONSOLIDATED:
            return {"deadline": deadline().pk}
        if kind == Kind.REMINDER_LETTER:
            return {
                "deadline": deadline().pk,
                "reply_by": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            }
        if kind == Kind.REVIEW:
            last = year or dt.date.today().year
            return {
                "directive": directive.pk,
                "first_year": first_year or last - 4,
                "last_year": last,
            }
        agency_obj = Agency.objects.filter(name=agency).first() if agency else None
        if agency_obj is None:
            raise CommandError(_("Give --agency with an agency's exact name."))
        report = (
            Report.objects.filter(agency=agency_obj)
            .filter(deadline__rule__kind="plan" if kind == Kind.AGENCY_PLAN else "report")
            .exclude(status="draft")
            .order_by("-deadline__due_date")
            .first()
        )
        if report is None:
            raise CommandError(
                _("This agency has no submitted plan.")
                if kind == Kind.AGENCY_PLAN
                else _("This agency has no submitted report.")
            )
        return {"report": report.pk}
