from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports import backups


class Command(BaseCommand):
    help = _(
        "Restore an archive made by “backup” into the configured database and the private and "
        "media folders, all of which must be empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help=_("The archive (.tar.gz) to restore"))

    def handle(self, *args, archive, **options):
        try:
            manifest = backups.backup_restore(archive=archive)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            ngettext(
                "Restored %(archive)s (made %(created)s): the database and %(files)d file.",
                "Restored %(archive)s (made %(created)s): the database and %(files)d files.",
                backups.file_count(manifest),
            )
            % {
                "archive": archive,
                "created": manifest["created_at"],
                "files": backups.file_count(manifest),
            }
        )
