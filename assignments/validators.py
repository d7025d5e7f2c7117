import io
import re
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

PDF_MAGIC = b"%PDF-"

# Names that make a PDF more than a picture of paper: scripts (/JS, /JavaScript, also what an
# /OpenAction or /AA runs), launching programs, files carried inside (/EmbeddedFiles name
# tree, /EmbeddedFile streams, /EF in a file specification), actions run on events (/AA),
# Flash and video (/RichMedia) and XFA forms, which carry their own scripts.
ACTIVE_NAMES = frozenset(
    {"JS", "JavaScript", "Launch", "EmbeddedFiles", "EmbeddedFile", "EF", "AA", "RichMedia", "XFA"}
)
_ACTIVE_BYTES = frozenset(name.encode() for name in ACTIVE_NAMES)

# A PDF name: a solidus, then regular characters (anything but white space and delimiters).
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The keyword that opens a stream's bytes ("endstream" excluded by the look-behind).
_STREAM_START = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
# Bounds on inflating object streams by hand (a compressed stream may expand a thousandfold).
_INFLATE_LIMIT = 8 * 1024 * 1024
_INFLATE_BUDGET = 32 * 1024 * 1024


def _names(data):
    """The names written in ``data``, with #xx escapes decoded (/J#61vaScript is /JavaScript)."""
    for match in _NAME.finditer(data):
        yield _HEX_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])


def _has_active_name(data):
    return any(name in _ACTIVE_BYTES for name in _names(data))


def _raw_active_content(data):
    """Look for active names in the file's bytes as written. Stream bytes (images, page
    contents) are skipped, since arbitrary binary data would match by chance, except object
    streams, which hold dictionaries: those compressed with FlateDecode are inflated and read
    too, whether or not the cross-reference table lists them."""
    position, budget = 0, _INFLATE_BUDGET
    while True:
        start = _STREAM_START.search(data, position)
        syntax = data[position : start.start() if start else len(data)]
        if _has_active_name(syntax):
            return True
        if start is None:
            return False
        end = data.find(b"endstream", start.end())
        end = len(data) if end < 0 else end
        # The stream's dictionary is what follows the last "obj" keyword before it.
        dictionary = {*_names(syntax[syntax.rfind(b"obj") :])}
        if b"ObjStm" in dictionary and b"FlateDecode" in dictionary and budget > 0:
            inflater = zlib.decompressobj()
            try:
                inflated = inflater.decompress(data[start.end() : end], min(_INFLATE_LIMIT, budget))
            except zlib.error:
                inflated = b""
            budget -= len(inflated)
            if _has_active_name(inflated):
                return True
        position = end + len(b"endstream")


def _object_active_content(reader):
    """Look for active names in every object the cross-reference table lists, as pypdf reads
    them (escapes decoded, object streams decompressed whatever their filter)."""
    objects = [reader.trailer]
    for generation, ids in reader.xref.items():
        objects.extend(
            reader.get_object(IndirectObject(idnum, generation, reader)) for idnum in ids
        )
    objects.extend(
        reader.get_object(IndirectObject(idnum, 0, reader)) for idnum in reader.xref_objStm
    )
    while objects:  # direct objects nest as a tree; references are not followed
        current = objects.pop()
        if isinstance(current, NameObject) and current[1:] in ACTIVE_NAMES:
            return True
        if isinstance(current, DictionaryObject):
            if any(key[1:] in ACTIVE_NAMES for key in current):
                return True
            objects.extend(current.values())
            if (
                isinstance(current, StreamObject)
                and current.get("/Type") == "/ObjStm"
                and _has_active_name(current.get_data())
            ):
                return True
        elif isinstance(current, ArrayObject):
            objects.extend(current)
    return False


def validate_pdf(file):
    """Accept only a PDF that opens and carries no active content (scripts, launch actions,
    embedded files, event actions, rich media, XFA forms), judged by its content, never by
    its name. Nothing is changed: a refused file is the reporter's to print or scan again."""
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
        active = _raw_active_content(data) or _object_active_content(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, NotImplementedError):
        raise ValidationError(
            _("The PDF is damaged and cannot be opened."), code="broken_pdf"
        ) from None
    if active:
        raise ValidationError(
            _(
                "The PDF contains active content (scripts, actions that run by themselves or "
                "embedded files), which is not accepted. Print or scan the document again to "
                "a plain PDF and upload that."
            ),
            code="active_pdf",
        )


def validate_upload_size(file):
    limit = settings.UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1_048_576:g}"},
            code="too_large",
        )


def checked_upload(file):
    """A form's PDF field: a new upload is checked for its size and its content (a file
    already stored, shown again on an edit form, is not read again)."""
    if file and hasattr(file, "content_type"):
        validate_upload_size(file)
        validate_pdf(file)
    return file
