import dataclasses
import io
import unicodedata

from pypdf import PdfWriter


def make_pdf(pages=1, password=None):
    """A real, small PDF, as a scanner would produce (blank A4 pages)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


# --- Reading a rendered document's layout back (positions in points, origin top left) --------

MM = 72 / 25.4


@dataclasses.dataclass
class Run:
    """A run of text in one font on one line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    font: str
    size: float

    @property
    def bold(self):
        return "Bold" in self.font

    @property
    def italic(self):
        return "Italic" in self.font

    @property
    def centre(self):
        return (self.x0 + self.x1) / 2


@dataclasses.dataclass
class Page:
    number: int
    width: float
    height: float
    runs: list
    rules: list  # (x0, x1, top): thin filled rectangles, the rules under headings

    @property
    def text(self):
        return "\n".join(run.text for run in self.runs)

    def find(self, text):
        """The first run that contains ``text``; fails the test when there is none."""
        for run in self.runs:
            if text in run.text:
                return run
        raise AssertionError(f"{text!r} not on page {self.number}: {self.text[:300]!r}")

    def rule_below(self, run, within=20):
        """The rule just under ``run`` (within ``within`` points), or None."""
        below = [
            r
            for r in self.rules
            if 0 <= r[2] - run.bottom <= within and r[0] < run.x1 and r[1] > run.x0
        ]
        return min(below, key=lambda r: r[2] - run.bottom, default=None)

    @property
    def text_left(self):
        return min(run.x0 for run in self.runs)


def layout(pdf, stroked=False):
    """Each page's runs of text (split where the font or a wide gap changes) and rules:
    thin filled rectangles (WeasyPrint's borders), or with ``stroked`` also horizontal
    lines (LibreOffice's paragraph borders)."""
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            words = page.extract_words(
                keep_blank_chars=True,
                x_tolerance=4,
                extra_attrs=["fontname", "size"],
                use_text_flow=True,
                return_chars=True,
            )
            runs = [
                Run(
                    unicodedata.normalize("NFC", w["text"]).strip(),
                    w["x0"],
                    # Where its last letter ends: a justified line's trailing space is wide.
                    max(c["x1"] for c in w["chars"] if c["text"].strip()),
                    w["top"],
                    w["bottom"],
                    w["fontname"].split("+")[-1],
                    round(w["size"], 1),
                )
                for w in words
                if w["text"].strip()
            ]
            rules = [
                (r["x0"], r["x1"], r["top"])
                for r in page.rects
                if r["height"] < 1.5 and r["width"] > 10
            ]
            if stroked:
                rules += [
                    (line["x0"], line["x1"], line["top"])
                    for line in page.lines
                    if abs(line["bottom"] - line["top"]) < 1 and line["x1"] - line["x0"] > 10
                ]
            pages.append(Page(number, page.width, page.height, runs, rules))
    return pages


def hand_built_pdf(catalog=b"", objects=(), compressed=(), page=b"", hex_encoded=False):
    """A one-page PDF written byte by byte, as other tools (or an attacker) may write one.

    ``catalog`` and ``page`` are added to the catalogue's and the page's dictionaries;
    ``objects`` are further objects, numbered from 4 on; ``compressed`` are further objects
    numbered after them and kept, deflated, in an object stream, in which case the
    cross-reference table is a stream too (PDF 1.5); ``hex_encoded`` writes that object
    stream in hexadecimal instead."""
    import zlib

    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b" >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if not compressed:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(bodies) + 1)
        return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref)
    first = len(bodies) + 1
    numbers = range(first, first + len(compressed))
    texts = [body + b"\n" for body in compressed]
    header, position = b"", 0
    for number, text in zip(numbers, texts, strict=True):
        header += b"%d %d " % (number, position)
        position += len(text)
    data = header + b"".join(texts)
    data = data.hex().encode() + b">" if hex_encoded else zlib.compress(data)
    stream_number = first + len(compressed)
    offsets.append(len(out))
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /%s /Length %d >>\n" % (
        stream_number,
        len(compressed),
        len(header),
        b"ASCIIHexDecode" if hex_encoded else b"FlateDecode",
        len(data),
    )
    out += b"stream\n" + data + b"\nendstream\nendobj\n"
    # The cross-reference stream: type, offset or object stream, generation or index.
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for offset in offsets[:-1]]
    rows += [
        b"\x02" + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
        for index in range(len(compressed))
    ]
    rows.append(b"\x01" + offsets[-1].to_bytes(4, "big") + b"\x00\x00")
    xref_number = stream_number + 1
    xref = len(out)
    rows.append(b"\x01" + xref.to_bytes(4, "big") + b"\x00\x00")
    table = b"".join(rows)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        xref_number + 1,
        len(table),
    )
    out += table + b"\nendstream\nendobj\n"
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref)
