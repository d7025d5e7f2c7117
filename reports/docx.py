"""The editable Word twin of a document: the same template as the PDF, read back and laid out
with python-docx in the legal layout (A4, the margins of Nghị định 30, Times New Roman, the
heading table with its rules, page numbers from page 2, repeated table headers), so that a
leader's last edits never mean retyping.

The PDF templates use a small, known vocabulary of classes (header, title and subject,
"Kính gửi", paragraphs, section headings, data tables, recipients and signature,
appendices); this module maps each to its Word form. Text is taken from the rendered HTML, so
both files say the same thing.
"""

import functools
import io
from copy import deepcopy

import lxml.html
from django.template.loader import render_to_string
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from .pdf import font_paths, nfc

FONT = "Times New Roman"
A4 = (Mm(210), Mm(297))
TEXT_WIDTH = {False: Mm(210 - 30 - 15), True: Mm(297 - 30 - 15)}  # portrait, landscape


def render_docx(template, context):
    """The .docx bytes of ``template`` (under templates/pdf/) with ``context``."""
    html = nfc(render_to_string(template, {**context, "fonts": {}}))
    tree = lxml.html.fromstring(html)
    writer = _Writer(tree.findtext(".//title") or "", _meta(tree, "author"))
    body = tree.find("body")
    for element in body:
        writer.block(element)
    stream = io.BytesIO()
    writer.document.save(stream)
    return stream.getvalue()


def _meta(tree, name):
    found = tree.xpath(f"//meta[@name='{name}']/@content")
    return found[0] if found else ""


def _classes(element):
    return set((element.get("class") or "").split())


def _text(element):
    """The element's text with runs of white space folded, <br> kept as line breaks."""
    text = _collect(element)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _collect(element):
    """The text of ``element``: a <br> or the start of a block (<div>) begins a new line;
    rules (empty spans) add nothing."""
    pieces = [element.text or ""]
    for child in element:
        if child.tag == "br" or (child.tag == "div" and "".join(pieces).strip()):
            pieces.append("\n")
        if child.tag != "br" and "rule" not in _classes(child):
            pieces.append(_collect(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


class _Writer:
    def __init__(self, title, author):
        self.document = Document()
        properties = self.document.core_properties
        properties.title, properties.author, properties.language = title, author, "vi-VN"
        properties.comments = properties.keywords = properties.subject = ""
        style = self.document.styles["Normal"]
        style.font.name, style.font.size = FONT, Pt(14)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.line_spacing = 1.15
        section = self.document.sections[0]
        self._page(section, landscape=False)
        self.landscape = False

    # -- Pages ---------------------------------------------------------------------------------

    def _page(self, section, landscape):
        """A4 in the legal margins; the page number centred at the top from page 2."""
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        width, height = A4
        section.page_width, section.page_height = (height, width) if landscape else (width, height)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = Mm(10)
        section.different_first_page_header_footer = True
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if not paragraph._p.xpath(".//w:instrText"):
            _field(paragraph, "PAGE", size=13)
        section.first_page_header.is_linked_to_previous = False

    def _appendix_section(self):
        """A landscape section for an appendix, whose pages count from 1 again."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        self._page(section, landscape=True)
        number_type = OxmlElement("w:pgNumType")
        number_type.set(qn("w:start"), "1")
        section._sectPr.append(number_type)
        self.landscape = True

    # -- Blocks --------------------------------------------------------------------------------

    def block(self, element):
        classes = _classes(element)
        if element.tag in ("style", "script") or not isinstance(element.tag, str):
            return
        if "header" in classes:
            self.header(element)
        elif element.tag == "h1":
            self.paragraph(_text(element).upper(), bold=True, align="center", before=18, after=0)
        elif "subject" in classes:
            self.ruled(_text(element), bold=True, share=0.4, after=12)
        elif "addressees" in classes:
            self.addressees(element, classes)
        elif "content" in classes:
            for child in element:
                self.block(child)
        elif "footer" in classes:
            self.footer(element)
        elif "signatures" in classes:
            self.signatures(element)
        elif "appendix" in classes:
            if "first" in classes:
                self._page(self.document.sections[0], landscape=True)
                self.landscape = True
            else:
                self._appendix_section()
            for child in element:
                self.block(child)
        elif element.tag == "h2":
            self.paragraph(_text(element), bold=True, before=10, after=6, keep_with_next=True)
        elif element.tag == "table":
            self.table(element)
        elif element.tag == "p":
            self.text_paragraph(element, classes)
        elif element.tag == "div":
            for child in element:
                self.block(child)

    def text_paragraph(self, element, classes):
        text = _text(element)
        if "appendix-label" in classes:
            self.paragraph(text, align="center")
        elif "appendix-title" in classes:
            self.paragraph(text.upper(), bold=True, align="center", after=0)
        elif "appendix-attached" in classes:
            self.paragraph(text, italic=True, align="center")
        elif "appendix-note" in classes:
            self.paragraph(text, align="center")
        else:
            self.paragraph(text, align="justify", indent="plain" not in classes)

    def paragraph(
        self,
        text,
        *,
        bold=False,
        italic=False,
        size=None,
        align="left",
        indent=False,
        before=0,
        after=6,
        keep_with_next=False,
        container=None,
    ):
        target = container if container is not None else self.document
        paragraph = target.add_paragraph()
        lines = text.split("\n")
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
            if index < len(lines) - 1:
                run.add_break()
        paragraph.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        format_ = paragraph.paragraph_format
        format_.space_before, format_.space_after = Pt(before), Pt(after)
        if indent:
            format_.first_line_indent = Cm(1)
        format_.keep_with_next = keep_with_next
        return paragraph

    def ruled(self, text, *, bold=False, size=None, share=0.4, after=0, container=None, width=None):
        """A centred line of text and, close under it, a rule ``share`` as long as its longest
        line (an empty paragraph one point high with a bottom border, indented to that
        length). A text that wraps is taken as wide as the column."""
        self.paragraph(text, bold=bold, size=size, align="center", after=0, container=container)
        width = width or TEXT_WIDTH[self.landscape]
        length = min(_text_width(text, size or 14, bold), width) * share
        rule = self.paragraph("", after=after, container=container, size=1)
        format_ = rule.paragraph_format
        format_.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        format_.line_spacing = Pt(1)
        format_.left_indent = format_.right_indent = int(max((width - length) / 2, 0))
        _bottom_border(rule)
        return rule

    def addressees(self, element, classes):
        """ "Kính gửi:" and one body, centred; or several, listed beside the label."""
        if "many" not in classes:
            self.paragraph(_text(element), align="center", before=12, after=12)
            return
        label = _text(element.find_class("label")[0])
        lines = _text(element.find_class("list")[0]).split("\n")
        widths = (
            _text_width(label, 14, False) + Pt(6),
            min(max(_text_width(line, 14, False) for line in lines) + Pt(6), TEXT_WIDTH[False]),
        )
        spacer = self.paragraph("", after=0)
        spacer.paragraph_format.space_before = Pt(6)
        table = _layout_table(self.document, widths)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        self.paragraph(label, after=0, container=left)
        for line in lines:
            self.paragraph(line, after=0, container=right)
        self.paragraph("", after=6)

    def header(self, element):
        """The heading table: issuing body and number left, national title and date right."""
        width = TEXT_WIDTH[self.landscape]
        widths = (int(width * 0.4), int(width * 0.6))
        table = _layout_table(self.document, widths)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        get = {next(iter(_classes(e)), ""): e for e in element.iter() if e.get("class")}
        self.paragraph(
            _text(get["parent-body"]).upper(), size=13, align="center", after=0, container=left
        )
        self.ruled(
            _text(get["issuer"]).upper(),
            bold=True,
            size=13,
            container=left,
            width=widths[0],
            after=6,
        )
        self.paragraph(_text(get["number"]), size=13, align="center", after=0, container=left)
        if "letter-subject" in get:
            self.paragraph(
                _text(get["letter-subject"]),
                size=12,
                align="center",
                before=6,
                after=0,
                container=left,
            )
        self.paragraph(
            _text(get["national"]), bold=True, size=13, align="center", after=0, container=right
        )
        self.ruled(
            _text(get["motto"]),
            bold=True,
            size=14,
            share=1.0,
            container=right,
            width=widths[1],
            after=6,
        )
        self.paragraph(
            _text(get["place-date"]), italic=True, size=13, align="center", after=0, container=right
        )

    def footer(self, element):
        """Recipients and signature side by side, on one page with the last paragraph."""
        last = self.document.paragraphs[-1] if self.document.paragraphs else None
        if last is not None:
            last.paragraph_format.keep_with_next = True
        width = TEXT_WIDTH[self.landscape]
        signed = element.find_class("signature")
        # Under a joint document's signatures, the recipients alone.
        shares = (0.45, 0.55) if signed else (1,)
        table = _layout_table(self.document, tuple(int(width * share) for share in shares))
        row = table.rows[0]
        _cant_split(row)
        recipients = row.cells[0]
        for child in element.find_class("recipients")[0]:
            text = _text(child)
            if "label" in _classes(child):
                self.paragraph(text, bold=True, italic=True, size=12, after=0, container=recipients)
            elif text:
                self.paragraph(text, size=11, after=0, container=recipients)
        if signed:
            self.signature(signed[0], row.cells[1])

    def signature(self, element, cell):
        for child in element:
            classes = _classes(child)
            if "space" in classes:
                for _ in range(4):
                    self.paragraph("", after=0, container=cell)
            elif _text(child):
                upper = classes & {"authority", "title", "party"}
                text = _text(child).upper() if upper else _text(child)
                self.paragraph(text, bold=True, align="center", after=0, container=cell)

    def signatures(self, element):
        """A joint document's signatures: one column per party, side by side."""
        last = self.document.paragraphs[-1] if self.document.paragraphs else None
        if last is not None:
            last.paragraph_format.keep_with_next = True
        rows = element.find_class("signature-row")
        count = len(rows[0].find_class("signature"))
        width = TEXT_WIDTH[self.landscape]
        table = _layout_table(self.document, (int(width / count),) * count)
        # The headings in the first row, the names in the next: the names on one line.
        for index, source in enumerate(rows):
            row = table.rows[0] if index == 0 else table.add_row()
            _cant_split(row)
            for column, cell in zip(source.find_class("signature"), row.cells, strict=True):
                cell.width = int(width / count)
                self.signature(column, cell)
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = index < len(rows) - 1

    def table(self, element):
        """A data table with a grid; its header rows repeat on every page, no row splits.
        Rows shaped alike (the same cells, classes and spans) are copied from the first one
        built and given their text: building each through python-docx takes seconds for a
        3,000-row list."""
        head = element.xpath("./thead/tr")
        rows = element.xpath("./tbody/tr") or element.xpath("./tr")
        columns = max(
            (
                sum(int(cell.get("colspan", 1)) for cell in row.xpath("./th|./td"))
                for row in head + rows
            ),
            default=1,
        )
        table = self.document.add_table(rows=0, cols=columns)
        table.style = self.document.styles["Table Grid"]
        built = {}  # shape → a finished row to copy
        for index, row in enumerate(head + rows):
            sources = row.xpath("./th|./td")
            texts = [_text(source) for source in sources]
            shape = (
                index < len(head),
                frozenset(_classes(row)),
                tuple((s.tag, s.get("colspan", "1"), frozenset(_classes(s))) for s in sources),
            )
            if shape in built and all(text and "\n" not in text for text in texts):
                copy = deepcopy(built[shape])
                for t, text in zip(copy.iter(qn("w:t")), texts, strict=True):
                    t.text = text
                table._tbl.append(copy)
                continue
            added = self._row(table, row, sources, texts, header=index < len(head))
            if all(text and "\n" not in text for text in texts):
                built[shape] = deepcopy(added._tr)
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)

    def _row(self, table, row, sources, texts, *, header):
        added = table.add_row()
        cells = added.cells
        _cant_split(added)
        if header:
            _repeat_header(added)
        position = 0
        for source, text in zip(sources, texts, strict=True):
            span = int(source.get("colspan", 1))
            cell = cells[position]
            if span > 1:
                cell = cell.merge(cells[position + span - 1])
            th = source.tag == "th"
            number = "num" in _classes(source)
            cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
            self.paragraph(
                text,
                bold=th or bool(_classes(row) & {"group", "total"}),
                size=12,
                align="center" if th else ("right" if number else "left"),
                after=0,
                container=cell,
                keep_with_next="group" in _classes(row),
            )
            position += span
        return added


def _layout_table(document, widths):
    """A one-row table without borders or cell padding, its columns ``widths`` wide (the
    grid and each cell, which Word and LibreOffice read in turn); its cells start empty."""
    table = document.add_table(rows=1, cols=len(widths))
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)
    return table


@functools.cache
def _metrics(bold):
    """Advance widths (in font units per em) of Liberation Serif, which has the metrics of
    Times New Roman: the rules under headings are sized from the text's real width."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_paths()["bold" if bold else "regular"], lazy=True)
    cmap, advances = font.getBestCmap(), font["hmtx"].metrics
    return cmap, advances, font["head"].unitsPerEm


def _text_width(text, size, bold):
    """The width of ``text`` set in Times New Roman at ``size`` points, in EMU."""
    cmap, advances, units = _metrics(bold)
    default = advances.get(".notdef", (units // 2, 0))[0]
    total = sum(advances[cmap[ord(c)]][0] if ord(c) in cmap else default for c in text)
    return int(Pt(size) * total / units)


def _field(paragraph, instruction, size=13):
    run = paragraph.add_run()
    run.font.size = Pt(size)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._r.append(element)


def _bottom_border(paragraph):
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)


def _repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _cant_split(row):
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    properties.append(element)
