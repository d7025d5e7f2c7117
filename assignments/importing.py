"""Running an import outside the admin: read, resolve, report, and write all or nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from .spreadsheets import ImportFileError, check_upload


@dataclass
class ImportSummary:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    written: bool = False

    @property
    def ok(self):
        return not self.errors


def result_errors(result):
    """Every message of an import result, in file order."""
    messages = []
    for invalid in result.invalid_rows:
        for field_messages in invalid.error_dict.values():
            messages.extend(str(m) for m in field_messages)
    for number, row_errors in result.row_errors():
        messages.extend(f"{number}: {error.error}" for error in row_errors)
    messages.extend(str(error.error) for error in result.base_errors)
    return messages


def run_import(
    resource_class,
    data,
    *,
    name,
    dry_run=False,
    user=None,
    sheet=None,
    include_hidden=False,
    **options,
):
    """Import ``data`` (the file's bytes) with ``resource_class``, from the sheet named
    ``sheet`` (else the one holding the list), hidden rows included when asked.

    Nothing is written when any row has an error or when ``dry_run`` is set.
    """
    summary = ImportSummary()
    try:
        check_upload(name, len(data))
        dataset = resource_class.import_format()().create_dataset(
            data, sheet=sheet, include_hidden=include_hidden
        )
    except ImportFileError as error:
        summary.errors.append(str(error))
        return summary
    resource = resource_class(**options)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            raise_errors=False,
            rollback_on_validation_errors=True,
            user=user,
        )
        totals = result.totals
        summary.rows = len(dataset)
        summary.new, summary.updated = totals["new"], totals["update"]
        summary.unchanged = totals["skip"]
        summary.errors = result_errors(result)
        summary.notices = resource.notices
        summary.written = not dry_run and summary.ok
    return summary


# The files of previews wait in django-import-export's folder of the media storage until
# the import is confirmed; a preview left unconfirmed leaves its file there. Kept files are
# offered again for 12 hours (admin.ListImportExportMixin.offer_reuse); after two days a
# file is of no use and, holding names and addresses, is removed.
PREVIEW_FOLDER = "django-import-export"
PREVIEW_FILES_KEPT = dt.timedelta(days=2)


def preview_storage():
    """The storage django-import-export's MediaStorage writes the previews' files to."""
    return (
        storages["import_export"] if "import_export" in storages.backends else storages["default"]
    )


def purge_preview_files():
    """Remove the previews' files older than PREVIEW_FILES_KEPT; return how many."""
    storage = preview_storage()
    try:
        _folders, names = storage.listdir(PREVIEW_FOLDER)
    except FileNotFoundError:
        return 0
    oldest = timezone.now() - PREVIEW_FILES_KEPT
    removed = 0
    for name in names:
        path = f"{PREVIEW_FOLDER}/{name}"
        try:
            if storage.get_modified_time(path) < oldest:
                storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by a confirmed import
    return removed
