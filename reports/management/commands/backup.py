from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports import backups


class Command(BaseCommand):
    help = _(
        "Write one archive of the database and the private and media files into a folder "
        "(run daily, see README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help=_("Folder to write the archive into"))

    def handle(self, *args, destination, **options):
        try:
            backup = backups.backup_create(destination=destination)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            ngettext(
                "Backup written: %(path)s (%(size)s, the database and %(files)d file).",
                "Backup written: %(path)s (%(size)s, the database and %(files)d files).",
                backups.file_count(backup.manifest),
            )
            % {
                "path": backup.path,
                "size": filesizeformat(backup.path.stat().st_size),
                "files": backups.file_count(backup.manifest),
            }
        )
