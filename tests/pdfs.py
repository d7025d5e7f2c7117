import io

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
