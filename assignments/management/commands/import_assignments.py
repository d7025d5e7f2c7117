import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assignments.importing import run_import
from assignments.models import Directive
from assignments.resources import AssignmentResource
from assignments.text import fold


def day(text):
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": text}) from None


class Command(BaseCommand):
    help = _(
        "Import an assignment list (.xlsx, .xls or .csv) under a directive. Nothing is written "
        "when any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--directive", required=True, help=_("Number and symbol of the document, e.g. 13-CT/TU")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and report, write nothing.")
        )
        parser.add_argument(
            "--start-date",
            type=day,
            help=_(
                "First day of the new assignments (dd/mm/yyyy) for rows without their own "
                "“Ngày bắt đầu”; default today."
            ),
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help=_("Create agencies and villages that are not found."),
        )
        parser.add_argument(
            "--sheet",
            help=_("Name of the sheet holding the list, when several sheets hold one."),
        )
        parser.add_argument(
            "--include-hidden",
            action="store_true",
            help=_("Import hidden rows too (they are skipped by default)."),
        )

    def handle(
        self,
        *args,
        file,
        directive,
        dry_run,
        create_missing,
        start_date,
        sheet,
        include_hidden,
        **options,
    ):
        matches = list(Directive.objects.filter(name_key=fold(directive)))
        if not matches:
            raise CommandError(_("No document numbered “%(number)s”.") % {"number": directive})
        if len(matches) > 1:
            raise CommandError(
                _("Several documents are numbered “%(number)s”: %(list)s.")
                % {"number": directive, "list": "; ".join(str(d) for d in matches)}
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
        summary = run_import(
            AssignmentResource,
            data,
            name=file.name,
            dry_run=dry_run,
            directive=matches[0],
            create_missing=create_missing,
            start_date=start_date,
            sheet=sheet,
            include_hidden=include_hidden,
        )
        self.stdout.write(
            _(
                "Rows read: %(rows)d; new: %(new)d; updated: %(updated)d; unchanged: "
                "%(unchanged)d; errors: %(errors)d."
            )
            % {
                "rows": summary.rows,
                "new": summary.new,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "errors": len(summary.errors),
            }
        )
        for notice in summary.notices:
            self.stdout.write(notice)
        for error in summary.errors:
            self.stderr.write(error)
        if not summary.ok:
            raise CommandError(_("Nothing was imported: correct the errors and try again."))
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import complete.")))
