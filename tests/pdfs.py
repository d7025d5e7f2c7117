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


def layout(pdf):
    """Each page's runs of text (split where the font or a wide gap changes) and rules."""
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            words = page.extract_words(
                keep_blank_chars=True,
                x_tolerance=4,
                extra_attrs=["fontname", "size"],
                use_text_flow=True,
            )
            runs = [
                Run(
                    unicodedata.normalize("NFC", w["text"]).strip(),
                    w["x0"],
                    w["x1"],
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
            pages.append(Page(number, page.width, page.height, runs, rules))
    return pages
