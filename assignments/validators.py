from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PDF_MAGIC = b"%PDF-"


def validate_pdf(file):
    """Accept only a PDF, judged by its content (its first bytes), never by its name."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(1024)
    file.seek(position)
    if PDF_MAGIC not in head:
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
