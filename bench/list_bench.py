"""The assignment list's layout against the one it replaced, on the same rows.

Builds a throwaway test database on the DATABASE_URL server, loads the demo and
`seed_demo --scale province`, runs ANALYZE, issues the list of the province's plan (about
3,000 rows) and renders its PDF in turn with the baseline layout (bench/baseline: the
templates and stylesheet as they were at eb5a9e7, with a notes column, adapted only to
today's figures, which carry no notes) and with today's, alternately, ROUNDS times each,
with the same fonts and fetcher. Each time covers what `reports.pdf.render_pdf` does:
template, WeasyPrint layout and the PDF file. Prints every time, the median of each, their
ratio and the pages (and the same for the process's CPU time, steadier when other work
shares the cores); checks that every word of every row is printed by both layouts and that
today's renders give the same text on the same pages every time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ketnghia .venv/bin/python bench/list_bench.py

--save-context FILE keeps the rendering context (figures and document fields) as JSON;
--context FILE renders from such a file without building a database.
"""

import argparse
import collections
import datetime as dt
import io
import json
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from common import analyze, throwaway_database
from django.core.management import call_command

BASELINE = Path(__file__).resolve().parent / "baseline"
TEMPLATE = "pdf/assignment_list.html"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--context", type=Path, help="render from this saved context")
    parser.add_argument("--save-context", type=Path, help="save the context as JSON")
    options = parser.parse_args()
    if options.context:
        context = load(options.context)
    else:
        with throwaway_database():
            context = issue()
    if options.save_context:
        options.save_context.write_text(
            json.dumps(context, ensure_ascii=False, default=dt.date.isoformat)
        )
    compare(context, options.rounds)


def issue():
    from assignments.models import Directive, User
    from reports import documents

    call_command("seed_demo", force=True, scale="province", verbosity=0)
    analyze()
    user = User.objects.get(username="dieuphoi")
    plan = Directive.objects.get(number__endswith="/KH-UBND-TH")
    fields = documents.default_fields("assignment_list")
    fields.update(signer_name="Nguyễn Văn Bình")
    document = documents.document_issue(
        kind="assignment_list", parameters={"directive": plan.pk}, by=user, **fields
    )
    return documents.context_of(document)


def load(path):
    context = json.loads(path.read_text())
    context["doc"]["issued_on"] = dt.date.fromisoformat(context["doc"]["issued_on"])
    return context


def render_baseline(context):
    """What reports.pdf.render_pdf does, with eb5a9e7's templates and stylesheet."""
    from django.template import Context, Engine, engines
    from weasyprint import CSS, HTML

    from reports.pdf import font_paths, nfc, safe_url_fetcher

    fonts = {style: path.as_uri() for style, path in font_paths().items()}
    engine = Engine(dirs=[str(BASELINE)], libraries=engines["django"].engine.libraries)
    html = engine.get_template(TEMPLATE).render(Context({**context, "fonts": fonts}))
    static = Path(__file__).resolve().parent.parent / "static"
    fetcher = safe_url_fetcher()
    stylesheet = CSS(string=(BASELINE / "document.css").read_text(), url_fetcher=fetcher)
    document = HTML(string=nfc(html), base_url=static.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])


def render_today(context):
    from reports.pdf import render_pdf

    return render_pdf(TEMPLATE, context)


def pages_text(pdf):
    from pypdf import PdfReader

    return [
        unicodedata.normalize("NFC", page.extract_text())
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def missing_words(context, pages):
    """The words of the rows (numbers as printed) that the pages do not hold as often: each
    row's number, agency, village, commune and role, and each district once, as the heading
    of its rows (today's layout prints it there only; the baseline also in a column)."""
    from django.utils.formats import localize

    def words(value):
        return unicodedata.normalize("NFC", str(localize(value))).split()

    wanted = collections.Counter()
    for group in context["f"]["groups"]:
        wanted.update(words(group["district"] or "–"))
        for row in group["rows"]:
            for value in (*row[:4], row[5]):
                wanted.update(words(value))
    printed = collections.Counter(" ".join(pages).split())
    return wanted - printed


def compare(context, rounds):
    layouts = {"baseline (eb5a9e7)": render_baseline, "today": render_today}
    times = {name: [] for name in layouts}
    cpu = {name: [] for name in layouts}
    texts = {name: [] for name in layouts}
    rows = sum(len(group["rows"]) for group in context["f"]["groups"])
    print(f"assignment list: {rows} rows, {rounds} renders of each layout, alternately")
    for round_ in range(1, rounds + 1):
        for name, render in layouts.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            pdf = render(context)
            seconds = time.perf_counter() - start
            times[name].append(seconds)
            cpu[name].append(time.process_time() - start_cpu)
            texts[name].append(pages_text(pdf))
            print(
                f"  round {round_} {name:<20} {seconds:7.2f} s ({cpu[name][-1]:.2f} s CPU) "
                f"{len(texts[name][-1]):4} pages"
            )
            sys.stdout.flush()
    medians = {name: statistics.median(seconds) for name, seconds in times.items()}
    cpu_medians = {name: statistics.median(seconds) for name, seconds in cpu.items()}
    print(
        f"{'layout':<20} {'median s':>8} {'CPU s':>7} {'pages':>5} {'every row':>9} "
        f"{'same text':>9}"
    )
    for name in layouts:
        complete = not missing_words(context, texts[name][0])
        same = all(text == texts[name][0] for text in texts[name])
        print(
            f"{name:<20} {medians[name]:8.2f} {cpu_medians[name]:7.2f} "
            f"{len(texts[name][0]):5} {complete!s:>9} {same!s:>9}"
        )
    base, today = "baseline (eb5a9e7)", "today"
    print(
        f"ratio of medians (today / baseline): {medians[today] / medians[base]:.2f} "
        f"(CPU time: {cpu_medians[today] / cpu_medians[base]:.2f})"
    )


if __name__ == "__main__":
    main()
