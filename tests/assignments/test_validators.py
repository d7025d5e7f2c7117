import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assignments.validators import validate_pdf, validate_upload_size
from tests.pdfs import make_pdf


def test_a_pdf_is_accepted_by_its_content_whatever_its_name():
    validate_pdf(SimpleUploadedFile("scan.bin", make_pdf()))


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, "not_pdf"),  # an .exe renamed .pdf
        (b"%PDF-1.7\n garbage without structure", "broken_pdf"),
        (make_pdf(password="secret"), "encrypted_pdf"),
    ],
    ids=["renamed-exe", "broken", "encrypted"],
)
def test_anything_else_is_refused(content, code):
    with pytest.raises(ValidationError) as error:
        validate_pdf(SimpleUploadedFile("bao-cao.pdf", content))
    assert error.value.code == code


def test_validation_leaves_the_file_position_alone():
    upload = SimpleUploadedFile("scan.pdf", make_pdf())
    upload.seek(3)
    validate_pdf(upload)
    assert upload.tell() == 3


def test_an_oversize_upload_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        validate_upload_size(SimpleUploadedFile("scan.pdf", b"x" * 101))
    assert error.value.code == "too_large"
