import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

PDF_MAGIC = b"%PDF-"


def validate_pdf(file):
    """Accept only a PDF that opens, judged by its content, never by its name."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    data = file.read()
    file.seek(position)
    if not data[:1024].lstrip().startswith(PDF_MAGIC):
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected; upload it without a password."),
                code="encrypted_pdf",
            )
        if not reader.pages:
            raise ValidationError(_("The PDF has no pages."), code="empty_pdf")
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise ValidationError(
            _("The PDF is damaged and cannot be opened."), code="broken_pdf"
        ) from None


def validate_upload_size(file):
    limit = settings.UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1_048_576:g}"},
            code="too_large",
        )
