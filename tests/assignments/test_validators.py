import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assignments.validators import validate_pdf


def test_a_pdf_is_accepted_by_its_content():
    validate_pdf(SimpleUploadedFile("scan.bin", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"))


def test_a_renamed_executable_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_pdf(SimpleUploadedFile("chi-thi-13.pdf", b"MZ\x90\x00\x03\x00\x00\x00"))
    assert error.value.code == "not_pdf"


def test_validation_leaves_the_file_position_alone():
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 rest")
    upload.seek(3)
    validate_pdf(upload)
    assert upload.tell() == 3
