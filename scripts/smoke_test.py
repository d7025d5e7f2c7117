"""Smoke test of the production configuration, through HTTP (run by .ci/run).

    .venv/bin/python scripts/smoke_test.py [--database-url postgres://USER@HOST:PORT/NAME]

It creates a throwaway PostgreSQL database (dropped first and after), migrates it, loads the
2024 demo world, collects the static files, and starts gunicorn (deploy/gunicorn.conf.py) and
one `db_worker` on a free loopback port with DEBUG off and a random SECRET_KEY, as the systemd
units in deploy/ do. Then, as people would: the health check; the reporter logs in, opens the
agency page and submits the report due 25/03/2024 with a signed scan; the coordinator logs in,
opens the dashboard and issues that report as a document, which the worker renders; the PDF,
the .docx and the .xlsx are downloaded. It stops exactly the processes it started, by their
ids, even on failure, and exits non-zero with the reason on any failure.

Only loopback is contacted; the secure-cookie and HTTPS-redirect settings are turned off for
this plain-http trial only.
"""

import argparse
import contextlib
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
from psycopg import sql
from pypdf import PdfWriter

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ketnghia_smoke"
DEMO_PASSWORD = "ketnghia-demo"  # noqa: S105 - the published password of the demo accounts
RENDER_WAIT_SECONDS = 60


class SmokeFailure(Exception):
    pass


def step(message):
    print(f"-- {message}", flush=True)


# Database


def scratch_name(url, prefix):
    """The database name of ``url``, refused unless it starts with ``prefix``: these scripts
    drop the databases they use."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name.startswith(prefix):
        raise SmokeFailure(
            f"refusing to use {name!r}: the scratch database's name starts with {prefix}"
        )
    return name


def recreate_database(url, *, prefix="ketnghia_smoke", create=True):
    """Drop the database of ``url`` (and create it empty again), through the maintenance db."""
    name = scratch_name(url, prefix)
    maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# Processes


def loopback_environment(database_url, work, port):
    """The production settings (DEBUG off, gunicorn's config) for a trial on loopback: plain
    http, files under ``work``, the database-backed task queue, gunicorn on ``port``."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "DJANGO_"))},
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "",
        "DATABASE_URL": database_url,
        # Plain http on loopback: no HTTPS redirect, cookies sent without TLS. Never in
        # production.
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "USE_X_FORWARDED_PROTO": "False",
        "TRUSTED_PROXY_COUNT": "0",
        "EMAIL_URL": "consolemail://",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
        "STATIC_ROOT": str(work / "static"),
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env, *args):
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SmokeFailure(
            f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )


class Service:
    """A process started in a session of its own, so that it and its children (gunicorn's
    workers) form one process group whose id is its pid: stopping it signals that group only."""

    def __init__(self, name, command, env, log_dir):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def check_running(self):
        if self.process.poll() is not None:
            raise SmokeFailure(f"{self.name} exited with status {self.process.returncode}")

    def stop(self):
        pid = self.process.pid
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{self.name} (pid {pid}) did not stop after TERM; killing it", flush=True)
        # gunicorn's workers or a worker's render may outlive the leader: the group goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def tail(self, lines=40):
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# HTTP


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Forms(HTMLParser):
    """The forms of a page: method, action and the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": {},
                }
            )
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            fields[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


class Response:
    def __init__(self, status, url, headers, body):
        self.status, self.url, self.headers, self.body = status, url, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    @property
    def path(self):
        return urllib.parse.urlsplit(self.url).path

    def errors(self):
        """The form errors and messages shown on the page, as text."""
        found = re.findall(
            r'<(?:ul class="errorlist|li class="[^"]*error)[^>]*>(.*?)</(?:ul|li)>',
            self.text,
            re.DOTALL,
        )
        return " | ".join(re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in found)

    def forms(self):
        """The POST forms of the page."""
        parser = Forms()
        parser.feed(self.text)
        return [form for form in parser.forms if form["method"] == "post"]

    def form(self, with_field):
        """The POST form of the page that has a field named ``with_field``."""
        parser = Forms()
        parser.feed(self.text)
        for form in parser.forms:
            if form["method"] == "post" and with_field in form["fields"]:
                return form
        raise SmokeFailure(f"no form with the field {with_field!r} on {self.path}")


class Browser:
    """One person's cookies; follows redirects like a browser."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, path, data=None, content_type=None, expect=200):
        url = urllib.parse.urljoin(self.base, path)
        request = urllib.request.Request(url, data=data)  # noqa: S310 - loopback http only
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=30) as answer:
                response = Response(answer.status, answer.url, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.url, error.headers, error.read())
        except (urllib.error.URLError, OSError) as error:
            raise SmokeFailure(f"{path}: {error}") from None
        if expect is not None and response.status != expect:
            raise SmokeFailure(f"{path}: HTTP {response.status}, expected {expect}")
        return response

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def post(self, path, fields, files=None, **kwargs):
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request(path, data=body, content_type=content_type, **kwargs)

    def login(self, username):
        page = self.get("/accounts/login/")
        form = page.form("username")
        form["fields"].update(username=username, password=DEMO_PASSWORD)
        landed = self.post(page.path, form["fields"])
        if landed.path.startswith("/accounts/login/"):
            raise SmokeFailure(f"{username} could not log in (still on the login page)")
        return landed


def multipart(fields, files):
    boundary = secrets.token_hex(16)
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        )
        body.write(f"{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        body.write(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def blank_pdf():
    """A one-page A4 PDF, as a scanner would make it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


# The walk


def wait_until_healthy(base, services, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for service in services:
            service.check_running()
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base + "healthz", timeout=5) as answer,  # noqa: S310
        ):
            if answer.status == 200 and answer.read() == b"ok\n":
                return
        time.sleep(0.5)
    raise SmokeFailure(f"/healthz did not answer 200 within {seconds} s")


def walk(base, worker):
    step("GET /healthz")
    Browser(base).get("/healthz")

    step("the reporter vhttdl logs in and lands on the agency page")
    reporter = Browser(base)
    agency_page = reporter.login("vhttdl")
    if not re.fullmatch(r"/agencies/\d+/", agency_page.path):
        raise SmokeFailure(f"the reporter landed on {agency_page.path}, not the agency page")
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', agency_page.text)
    if not stylesheet:
        raise SmokeFailure("the page links no collected (hashed) stylesheet")
    reporter.get(stylesheet.group(1))

    step("the reporter submits the report due 25/03/2024 with a signed scan")
    row = re.search(r"<li>[^<]*25/03/2024.*?</li>", agency_page.text, re.DOTALL)
    link = row and re.search(r'href="(/reports/\d+/\d+/)"', row.group(0))
    if not link:
        raise SmokeFailure("no report to write for 25/03/2024 on the agency page")
    form_page = reporter.get(link.group(1))
    form = form_page.form("results")
    form["fields"]["results"] = "Đã tổ chức lễ kết nghĩa và tặng quà cho làng Dip."
    form["fields"]["submit"] = ""
    confirmation = reporter.post(
        form_page.path,
        form["fields"],
        files={"scan": ("bao-cao-ky.pdf", blank_pdf(), "application/pdf")},
    )
    # The draft is saved and the reporter asked to confirm ("after submitting you cannot
    # edit it"); confirming submits it.
    if not re.fullmatch(r"/reports/\d+/submit/", confirmation.path):
        raise SmokeFailure(
            f"no confirmation before submitting: {confirmation.errors() or confirmation.path}"
        )
    confirm = next((f for f in confirmation.forms() if f["action"].endswith("/submit/")), None)
    if confirm is None:
        raise SmokeFailure(f"no confirmation form on {confirmation.path}")
    submitted = reporter.post(confirm["action"], confirm["fields"])
    report = re.fullmatch(r"/reports/(\d+)/", submitted.path)
    if not report:
        raise SmokeFailure(f"submitting was refused: {submitted.errors() or submitted.path}")
    report_id = report.group(1)
    scan = reporter.get(f"/reports/{report_id}/scan/")
    if not scan.body.startswith(b"%PDF"):
        raise SmokeFailure("the stored scan is not the PDF that was uploaded")

    step("the coordinator dieuphoi logs in and opens the dashboard")
    coordinator = Browser(base)
    coordinator.login("dieuphoi")
    coordinator.get("/dashboard/")

    step("the coordinator issues the agency's report as a document")
    form_page = coordinator.get("/documents/new/agency_report/")
    form = form_page.form("number")
    # What the form leaves to the person: the number, the signer, the report.
    form["fields"].update(number="12/BC-BDT", signer_name="Nguyễn Văn Bình", report=report_id)
    issued = coordinator.post(form_page.path, form["fields"])
    document = re.fullmatch(r"/documents/(\d+)/", issued.path)
    if not document:
        raise SmokeFailure(f"issuing was refused: {issued.errors() or issued.path}")
    document_path = issued.path

    step("the worker renders it; the PDF, the Word file and the .xlsx are downloaded")
    pdf_link = f'href="{document_path}file.pdf"'
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    page = issued
    while pdf_link not in page.text:
        if "hx-get=" not in page.text:  # neither waiting nor rendering: it failed
            raise SmokeFailure("the document could not be rendered (see the worker's log)")
        if time.monotonic() > deadline:
            raise SmokeFailure(f"the document was not rendered within {RENDER_WAIT_SECONDS} s")
        worker.check_running()
        time.sleep(1)
        page = coordinator.get(document_path)
    pdf = coordinator.get(f"{document_path}file.pdf")
    if not pdf.body.startswith(b"%PDF"):
        raise SmokeFailure("the downloaded document is not a PDF")
    if "attachment" not in (pdf.headers.get("Content-Disposition") or ""):
        raise SmokeFailure("the PDF is not offered as a download")
    xlsx = coordinator.get(f"{document_path}file.xlsx")
    if not xlsx.body.startswith(b"PK"):
        raise SmokeFailure("the downloaded .xlsx is not a spreadsheet")
    docx = coordinator.get(f"{document_path}file.docx")
    if not docx.body.startswith(b"PK") or b"word/document.xml" not in docx.body:
        raise SmokeFailure("the downloaded .docx is not a Word file")
    return len(pdf.body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SMOKE_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the throwaway PostgreSQL database (its name must start with ketnghia_smoke; "
        f"default {DEFAULT_DATABASE_URL}, or SMOKE_DATABASE_URL)",
    )
    args = parser.parse_args()
    # CI stopping this script (TERM) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    services = []
    work = Path(tempfile.mkdtemp(prefix="ketnghia-smoke-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = loopback_environment(args.database_url, work, port)
    failed = False
    try:
        step(f"fresh database {urllib.parse.urlsplit(args.database_url).path.lstrip('/')}")
        recreate_database(args.database_url)
        step("migrate, seed_demo --without-story, collectstatic")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--force", "--without-story", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")

        step(f"start gunicorn on {base} and one db_worker (DEBUG off)")
        services.append(Service("gunicorn", [GUNICORN, "-c", "deploy/gunicorn.conf.py"], env, work))
        worker = Service(
            "worker",
            [PYTHON, "manage.py", "db_worker", "--max-tasks", "50", "--no-reload"],
            env,
            work,
        )
        services.append(worker)
        wait_until_healthy(base, services)
        size = walk(base, worker)
    except SmokeFailure as error:
        failed = True
        print(f"SMOKE TEST FAILED: {error}", file=sys.stderr, flush=True)
    except Exception as error:
        failed = True
        traceback.print_exc()
        print(f"SMOKE TEST FAILED: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    finally:
        for service in reversed(services):
            service.stop()
        if failed:
            for service in services:
                print(f"--- last lines of {service.name}'s log:\n{service.tail()}", file=sys.stderr)
        try:
            recreate_database(args.database_url, create=False)
        except (psycopg.Error, SmokeFailure) as error:
            print(f"could not drop the smoke database: {error}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        return 1
    print(
        f"Smoke test passed in {time.monotonic() - started:.0f} s "
        f"(document of {size:,} bytes rendered and downloaded).",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
