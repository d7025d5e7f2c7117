"""PDF rendering: the only module that imports WeasyPrint.

WeasyPrint's default fetcher reads any file:// or http:// address a document names (an
<a rel="attachment" href="file:///etc/passwd"> embeds that file in the PDF). Ours allows only
the project's own static files and the font files, for HTML and CSS alike; everything else
fetches nothing. Text is NFC-normalised before layout, and fonts are named by their file
paths, so no font is ever looked up by family name or fetched from the network.
"""

import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

# Liberation Serif 2.x (Debian's fonts-liberation2): Times New Roman metrics and full
# Vietnamese coverage. Tinos (fonts-croscore) is the same design, as a fallback.
FONT_DIRS = [
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/croscore"),
]
FONT_FILES = {
    "regular": ("LiberationSerif-Regular.ttf", "Tinos-Regular.ttf"),
    "bold": ("LiberationSerif-Bold.ttf", "Tinos-Bold.ttf"),
    "italic": ("LiberationSerif-Italic.ttf", "Tinos-Italic.ttf"),
    "bolditalic": ("LiberationSerif-BoldItalic.ttf", "Tinos-BoldItalic.ttf"),
}


class FontMissing(RuntimeError):
    pass


def font_paths():
    """The font file for each style; raises FontMissing with the package to install."""
    found = {}
    for style, names in FONT_FILES.items():
        for directory in FONT_DIRS:
            for name in names:
                if (directory / name).exists():
                    found.setdefault(style, directory / name)
        if style not in found:
            raise FontMissing(
                "Liberation Serif 2 is not installed: apt-get install fonts-liberation2"
            )
    return found


def allowed_roots():
    roots = [Path(settings.BASE_DIR) / "static", *FONT_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


class FetchRefused(ValueError):
    pass


def safe_url_fetcher():
    """A fetcher serving only files under the allowed folders; refusing every other address
    (network, other files). Used for the HTML and for the stylesheet."""
    from weasyprint.urls import URLFetcher

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme != "file":
                raise FetchRefused(f"refused: {parsed.scheme or 'relative'} address")
            path = Path(unquote(parsed.path)).resolve()
            if not any(path.is_relative_to(root) for root in allowed_roots()):
                raise FetchRefused("refused: outside the allowed folders")
            return super().fetch(path.as_uri(), headers)

    return SafeURLFetcher(allowed_protocols=["file"], allow_redirects=False)


def nfc(text):
    return unicodedata.normalize("NFC", text)


def render_pdf(template, context):
    """Render ``template`` (under templates/pdf/) to PDF bytes."""
    fonts = font_paths()
    return html_to_pdf(
        render_to_string(
            template, {**context, "fonts": {style: path.as_uri() for style, path in fonts.items()}}
        )
    )


def html_to_pdf(html):
    from weasyprint import CSS, HTML

    static = Path(settings.BASE_DIR) / "static"
    fetcher = safe_url_fetcher()
    stylesheet = CSS(filename=str(static / "pdf" / "document.css"), url_fetcher=fetcher)
    document = HTML(string=nfc(html), base_url=static.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])
