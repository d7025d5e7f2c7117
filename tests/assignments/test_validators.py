import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from assignments.validators import validate_pdf, validate_upload_size
from tests.pdfs import hand_built_pdf, make_pdf


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


SCRIPT = b'<< /S /JavaScript /JS (app.launchURL\\("http://example.com"\\)) >>'


def unlisted_object_stream(body):
    """A PDF with an object stream that its cross-reference table does not list: readers that
    rebuild a table they find wrong may still load it."""
    data = zlib.compress(b"5 0 " + body)
    stream = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
        + data
        + b"\nendstream"
    )
    pdf = hand_built_pdf(objects=[stream])
    entry = b"%010d 00000 n \n" % pdf.index(b"4 0 obj")
    return (
        pdf.replace(entry, b"")
        .replace(b"xref\n0 5\n", b"xref\n0 4\n")
        .replace(b"/Size 5", b"/Size 4")
    )


ACTIVE = {
    # Each kind of active content alone, then written to escape a naive search.
    "javascript-on-open": hand_built_pdf(catalog=b"/OpenAction " + SCRIPT),
    "js-only": hand_built_pdf(catalog=b"/OpenAction << /JS (app.alert\\(1\\)) >>"),
    "javascript-name-tree": hand_built_pdf(
        catalog=b"/Names << /JavaScript 4 0 R >>", objects=[b"<< /Names [] >>"]
    ),
    "launch": hand_built_pdf(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
    "embedded-files": hand_built_pdf(
        catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        objects=[b"<< /Type /Filespec /F (a.exe) >>"],
    ),
    "embedded-file-stream": hand_built_pdf(
        objects=[b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"]
    ),
    "file-attachment": hand_built_pdf(
        page=b"/Annots [4 0 R]",
        objects=[
            b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] "
            b"/FS << /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >> >>",
            b"<< /Length 2 >>\nstream\nMZ\nendstream",
        ],
    ),
    "additional-actions": hand_built_pdf(page=b"/AA << /O << /S /Named /N /Print >> >>"),
    "rich-media": hand_built_pdf(
        page=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"
    ),
    "xfa": hand_built_pdf(
        catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>",
        objects=[b"<< /Length 10 >>\nstream\n<xdp:xdp/>\nendstream"],
    ),
    "hex-escaped-names": hand_built_pdf(
        catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"
    ),
    "in-an-object-stream": hand_built_pdf(catalog=b"/OpenAction 4 0 R", compressed=[SCRIPT]),
    "hex-escaped-in-an-object-stream": hand_built_pdf(
        catalog=b"/OpenAction 4 0 R", compressed=[b"<< /S /L#61unch /F (cmd.exe) >>"]
    ),
    "in-a-hexadecimal-object-stream": hand_built_pdf(
        catalog=b"/OpenAction 4 0 R", compressed=[SCRIPT], hex_encoded=True
    ),
    "in-an-unlisted-object-stream": unlisted_object_stream(SCRIPT),
}


@pytest.mark.parametrize("content", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_with_active_content_is_refused(content):
    assert PdfReader(io.BytesIO(content)).pages  # a PDF that opens, but not a plain one
    with pytest.raises(ValidationError) as error:
        validate_pdf(SimpleUploadedFile("bao-cao.pdf", content))
    assert error.value.code == "active_pdf"


CLEAN = {
    "written-by-pypdf": make_pdf(pages=2),
    "hand-built": hand_built_pdf(),
    "opening-at-a-page": hand_built_pdf(catalog=b"/OpenAction [3 0 R /Fit]"),
    "with-an-object-stream": hand_built_pdf(
        catalog=b"/Outlines 4 0 R", compressed=[b"<< /Type /Outlines /Count 0 >>"]
    ),
    # Image bytes may hold anything, names included, by chance.
    "binary-image-bytes": hand_built_pdf(
        objects=[
            b"<< /Type /XObject /Subtype /Image /Width 4 /Height 1 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length 16 >>\nstream\n/JS /AA /XFA /EF\nendstream"
        ]
    ),
}


@pytest.mark.parametrize("content", CLEAN.values(), ids=CLEAN.keys())
def test_a_plain_pdf_is_accepted(content):
    validate_pdf(SimpleUploadedFile("bao-cao.pdf", content))
