import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import reminders


class Command(BaseCommand):
    help = _(
        "Email the reminders due today (run once a day, by deploy/ketnghia-reminders.timer); "
        "never the same one twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help=_("List what would be sent, send nothing.")
        )
        parser.add_argument("--date", help=_("Act as if today were this date (dd/mm/yyyy)."))

    def handle(self, *args, dry_run, date, **options):
        today = timezone.localdate()
        if date:
            try:
                today = dt.datetime.strptime(date, "%d/%m/%Y").date()
            except ValueError:
                raise CommandError(_("Give the date as dd/mm/yyyy.")) from None
        due = reminders.due_reminders(today)
        failed = 0
        for reminder in due:
            if dry_run:
                copy = f" (cc: {', '.join(reminder.cc)})" if reminder.cc else ""
                self.stdout.write(f"{reminder.recipient}{copy}: {reminder.subject}")
                continue
            try:
                reminders.send(reminder)
            except OSError as error:  # SMTP down: the next run retries, nothing is lost
                failed += 1
                self.stderr.write(f"{reminder.recipient}: {error}")
        verb = _("would be sent") if dry_run else _("sent")
        self.stdout.write(
            _("%(count)d reminders %(verb)s.") % {"count": len(due) - failed, "verb": verb}
        )
        if failed:
            raise CommandError(_("%(count)d reminders could not be sent.") % {"count": failed})
