"""The production configuration under load: N people logged in, clicking with think time.

    .venv/bin/python bench/load_bench.py [--users 50] [--seconds 240] [--requests 4000]
        [--ramp 30] [--quick] [--port 18081]
        [--database-url postgres://postgres@127.0.0.1:5432/load_ketnghia]
        [--keep-database] [--reuse-database]

It creates a scratch PostgreSQL database (its name must start with ``load_``; dropped first and
after), migrates it, loads the demo and ``seed_demo --scale province`` (as
bench/pages_bench.py does), runs ANALYZE (autovacuum is off on these machines), creates the
simulated people, collects the static files and starts gunicorn (deploy/gunicorn.conf.py, its
default workers) and one ``db_worker`` on loopback with DEBUG off and a random SECRET_KEY, as
CI's smoke test does. Then the simulated people arrive at random moments over the ramp
(30 s), each logs in through the login form (CSRF cookie and token, the real password check)
and loops until the time (240 s in all, the ramp included; 60 s with --quick) or the budget of
page views runs out: a think time drawn uniformly from 3 to 7 s, then a page from their role's
usual set.

- Coordinators (a fifth of the people): dashboard, compliance matrix for one year and for all
  years, reports, review queue, an agency's page (half the time one of the busiest), villages,
  deadlines.
- Reporters, each of one agency (half of them of the agencies with most assignments in force,
  the others of agencies drawn at random): home (which redirects to their agency's page),
  deadlines, the agency's page, a report's form (from the links on those pages; a submitted
  report shows its page instead), and now and then a draft saved through the form (POST),
  one time in five submitted with a signed scan.

A page's time is what the person waits for it: the request and the redirects it is answered
with, the whole body read. Beside them, once a second, a probe times the floor: /healthz and a
minimal logged-in page. The figures are printed twice: while people arrive (their password
checks, deliberately slow, share the cores with the pages) and once everyone is logged in,
the steady state to which the target applies. The server's own time of each request
(gunicorn's access log, labelled through the User-Agent) is shown beside the client's, and the
slowest requests by path. Errors are HTTP statuses of 400 and above, a page that lands on the login
form, connection errors and timeouts; any error makes the exit status 1. The CPU time of this
process (the load generator), of gunicorn, the worker, PostgreSQL and the rest of the machine
is printed, so the reader knows what the generator, and anything else running, took of the
cores.

It stops only the processes it started (gunicorn's and the worker's process groups, by
their ids) and drops the database, unless --keep-database (--reuse-database then skips the
seeding on the next run).
"""

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "scripts"))

from smoke_test import (  # noqa: E402 - the smoke test's process and form helpers
    GUNICORN,
    PYTHON,
    Forms,
    Service,
    SmokeFailure,
    blank_pdf,
    loopback_environment,
    manage,
    multipart,
    recreate_database,
    scratch_name,
    step,
    wait_until_healthy,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/load_ketnghia"
THINK_SECONDS = (3.0, 7.0)
TARGET_P95_MS = 500
REQUEST_TIMEOUT = 60
AGENT = "ketnghia-load-bench"
LOGIN_LABEL = "login (form and password check)"

# What each role opens, with how often: the landing pages most, the heavy ones less.
COORDINATOR_PAGES = [
    ("dashboard", 3),
    ("compliance matrix, one year", 2),
    ("compliance matrix, all years", 1),
    ("reports", 2),
    ("review queue", 2),
    ("agency page", 2),
    ("villages", 1),
    ("deadlines", 1),
]
REPORTER_PAGES = [
    ("reporter: home (to agency page)", 3),
    ("reporter: deadlines", 2),
    ("reporter: agency page", 2),
    ("reporter: report form", 2),
    ("reporter: save draft (POST)", 1),
]
SUBMIT_SHARE = 0.2  # of the draft saves, submitted with a scan

# Creates (or resets) the simulated people in the server's database and prints them as JSON.
USERS_CODE = """
import json, random
from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone
from assignments.models import Agency, AgencyMembership, User, in_force_q

spec = json.loads({spec!r})
today = timezone.localdate()
held = list(
    Agency.objects.in_force_on(today)
    .annotate(held=Count("assignments", filter=in_force_q(
        today, "start_date", "end_date", prefix="assignments")))
    .filter(held__gt=0).order_by("-held", "pk").values_list("pk", "held")
)
rng = random.Random(2024)
busy = held[: spec["busy"]]
others = rng.sample(held[spec["busy"]:], spec["reporters"] - len(busy))
password = make_password(spec["password"])  # hashed once: the same for every person
people = {{"coordinators": [], "reporters": []}}
for n in range(spec["coordinators"] + 1):  # the last one is the floor probe's
    user, _ = User.objects.update_or_create(
        username=f"load-coord-{{n:03d}}",
        defaults={{"role": User.Role.COORDINATOR, "password": password, "is_active": True}},
    )
    people["coordinators"].append(user.username)
for n, (agency, count) in enumerate(busy + others):
    user, _ = User.objects.update_or_create(
        username=f"load-rep-{{n:03d}}",
        defaults={{"role": User.Role.REPORTER, "password": password, "is_active": True}},
    )
    AgencyMembership.objects.filter(user=user).exclude(agency=agency).delete()
    AgencyMembership.objects.get_or_create(user=user, agency_id=agency)
    people["reporters"].append([user.username, agency, count])
people["busy"] = [pk for pk, _ in busy]
people["agencies"] = [pk for pk, _ in held]
print("PEOPLE " + json.dumps(people))
"""


def database_name(url):
    return scratch_name(url, "load_")


def maintenance(url):
    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(
        urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True
    )


def database_exists(url):
    with maintenance(url) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return found is not None


def analyze(url):
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")


def create_people(env, *, coordinators, reporters, password):
    spec = json.dumps(
        {
            "coordinators": coordinators,
            "reporters": reporters,
            "busy": reporters // 2,
            "password": password,
        }
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", "shell", "-c", USERS_CODE.format(spec=spec)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("PEOPLE "):
            return json.loads(line.removeprefix("PEOPLE "))
    raise SmokeFailure(f"could not create the simulated people:\n{result.stderr[-3000:]}")


# CPU


def processes():
    """(pid, parent, group, command, own CPU seconds, reaped children's CPU seconds) of every
    process of the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = (entry / "stat").read_text()
            command = text[text.index("(") + 1 : text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            yield (
                int(entry.name),
                int(fields[1]),
                int(fields[2]),
                command,
                (int(fields[11]) + int(fields[12])) / tick,
                (int(fields[13]) + int(fields[14])) / tick,
            )


def cpu_by_owner(gunicorn, worker):
    """CPU seconds so far of gunicorn's process group, the worker's and PostgreSQL's (all its
    databases), counting the members that ended through their parent (gunicorn's replaced
    workers, PostgreSQL's backends of one connection each)."""
    listed = list(processes())
    postgres = {pid for pid, _, _, command, _, _ in listed if command == "postgres"}
    totals = {"gunicorn": 0.0, "worker": 0.0, "postgres": 0.0}
    for pid, parent, group, _command, own, reaped in listed:
        for name, leader in (("gunicorn", gunicorn), ("worker", worker)):
            if group == leader:
                totals[name] += own + (reaped if pid == leader else 0)
        if pid in postgres:
            totals["postgres"] += own + (reaped if parent not in postgres else 0)
    return totals


def machine_cpu():
    """Busy and total CPU seconds of the whole machine since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # without guest time, already counted in user
    return (total - idle) / tick, total / tick


# The simulated people


class MissingForm(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Person:
    """One browser: its cookies, and the report links it has seen."""

    landing = "dashboard"

    def __init__(self, base, username, results):
        self.base = base
        self.username = username
        self.results = results
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.not_following = urllib.request.build_opener(cookies, NoRedirect)
        self.report_links = set()

    def fetch(self, label, path, data=None, content_type=None, *, redirected_label=None):
        """Open ``path`` as a browser would (following redirects) and record the time under
        ``label`` (``redirected_label`` if it was redirected elsewhere); return (final path,
        text), or None on an error."""
        request = urllib.request.Request(urllib.parse.urljoin(self.base, path), data=data)  # noqa: S310 - loopback
        request.add_header("User-Agent", f"{AGENT} {label}")
        if content_type:
            request.add_header("Content-Type", content_type)
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                body = answer.read()
                final = urllib.parse.urlsplit(answer.url).path
        except urllib.error.HTTPError as error:
            error.read()
            self.results.error(label, f"HTTP {error.code} on {path}")
            return None
        except (urllib.error.URLError, OSError) as error:
            self.results.error(label, f"{type(error).__name__} on {path}: {error}")
            return None
        elapsed = time.perf_counter() - start
        if final.startswith("/accounts/login/"):
            self.results.error(label, f"{path} landed on the login form")
            return None
        if redirected_label and final != urllib.parse.urlsplit(path).path:
            label = redirected_label
        self.results.record(label, elapsed)
        text = body.decode("utf-8", errors="replace")
        self.report_links.update(re.findall(r'href="(/reports/\d+/\d+/)"', text))
        return final, text

    def login(self, password):
        """The login form, then its POST alone (the landing page is the next visit)."""
        path = "/accounts/login/"
        request = urllib.request.Request(urllib.parse.urljoin(self.base, path))  # noqa: S310
        request.add_header("User-Agent", f"{AGENT} login form (GET)")
        try:
            start = time.perf_counter()
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                form = post_form(answer.read().decode(), "username")
            self.results.record("login form (GET)", time.perf_counter() - start)
        except (urllib.error.URLError, OSError, MissingForm) as error:
            self.results.error("login form (GET)", f"{type(error).__name__}: {error}")
            return False
        form.update(username=self.username, password=password)
        request = urllib.request.Request(  # noqa: S310 - loopback
            urllib.parse.urljoin(self.base, path), data=urllib.parse.urlencode(form).encode()
        )
        request.add_header("User-Agent", f"{AGENT} {LOGIN_LABEL}")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        start = time.perf_counter()
        try:
            with self.not_following.open(request, timeout=REQUEST_TIMEOUT) as answer:
                answer.read()
                status = answer.status
        except urllib.error.HTTPError as error:
            error.read()
            status, location = error.code, error.headers.get("Location", "")
        except (urllib.error.URLError, OSError) as error:
            self.results.error(LOGIN_LABEL, f"{type(error).__name__}: {error}")
            return False
        if status != 302 or location.startswith("/accounts/login/"):
            self.results.error(LOGIN_LABEL, f"{self.username} could not log in (HTTP {status})")
            return False
        self.results.record(LOGIN_LABEL, time.perf_counter() - start)
        return True


def post_form(text, with_field):
    parser = Forms()
    parser.feed(text)
    for form in parser.forms:
        if form["method"] == "post" and with_field in form["fields"]:
            return form["fields"]
    raise MissingForm(f"no form with {with_field!r}")


class Coordinator(Person):
    pages = COORDINATOR_PAGES

    def __init__(self, base, username, results, people, rng):
        super().__init__(base, username, results)
        self.people, self.rng = people, rng

    def visit(self, label):
        if label == "agency page":
            pool = self.people["busy"] if self.rng.random() < 0.5 else self.people["agencies"]
            path = f"/agencies/{self.rng.choice(pool)}/"
        else:
            path = {
                "dashboard": "/dashboard/",
                "compliance matrix, one year": "/compliance/",
                "compliance matrix, all years": "/compliance/?all_years=1",
                "reports": "/reports/",
                "review queue": "/review/",
                "villages": "/villages/",
                "deadlines": "/deadlines/",
            }[label]
        self.fetch(label, path)

    def land(self):
        self.fetch("dashboard", "/")


class Reporter(Person):
    pages = REPORTER_PAGES

    def __init__(self, base, username, results, agency, rng):
        super().__init__(base, username, results)
        self.agency, self.rng = agency, rng

    def visit(self, label):
        if label == "reporter: home (to agency page)":
            self.land()
        elif label == "reporter: deadlines":
            self.fetch(label, "/deadlines/")
        elif label == "reporter: agency page" or not self.report_links:
            self.fetch("reporter: agency page", f"/agencies/{self.agency}/")
        elif label == "reporter: report form":
            self.open_report()
        else:
            self.save_draft()

    def land(self):
        self.fetch("reporter: home (to agency page)", "/")

    def open_report(self):
        link = self.rng.choice(sorted(self.report_links))
        # A submitted report answers with a redirect to its page: that is another page.
        page = self.fetch(
            "reporter: report form", link, redirected_label="reporter: report page (submitted)"
        )
        return page if page and page[0] == link else None

    def save_draft(self):
        page = self.open_report()
        if page is None:
            return
        fields = post_form(page[1], "results")
        fields["results"] = f"Đã thăm và tặng quà ({self.username}, {time.strftime('%H:%M:%S')})."
        files = {}
        label = "reporter: save draft (POST)"
        if self.rng.random() < SUBMIT_SHARE:
            fields["submit"] = ""
            files = {"scan": ("bao-cao-ky.pdf", blank_pdf(), "application/pdf")}
            label = "reporter: submit report (POST)"
        body, content_type = multipart(fields, files)
        landed = self.fetch(label, page[0], body, content_type)
        if landed and files and landed[0] == page[0]:
            self.results.refused += 1  # the form said why (e.g. the deadline is not open)


class Results:
    """Every page view's label, start and seconds, every error, and when the last person
    had logged in (the end of the arrival, the start of the steady state)."""

    def __init__(self, people=0):
        self.lock = threading.Lock()
        self.times = []  # (label, started, seconds)
        self.errors = []  # (label, when)
        self.error_samples = []
        self.refused = 0
        self.waiting = people
        self.everyone_in = None
        self.everyone_in_wall = None

    def record(self, label, seconds):
        with self.lock:
            self.times.append((label, time.monotonic() - seconds, seconds))

    def error(self, label, message):
        with self.lock:
            self.errors.append((label, time.monotonic()))
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{label}: {message}")

    def arrived(self):
        with self.lock:
            self.waiting -= 1
            if self.waiting == 0:
                self.everyone_in = time.monotonic()
                self.everyone_in_wall = time.time()

    def phase(self, steady):
        """The times by label and the errors by label, of the arrival or the steady state."""
        start = self.everyone_in or float("inf")
        times, errors = defaultdict(list), defaultdict(int)
        for label, started, seconds in self.times:
            if (started >= start) == steady:
                times[label].append(seconds)
        for label, when in self.errors:
            if (when >= start) == steady:
                errors[label] += 1
        return times, errors


class Budget:
    """The run's bounds: a number of page views and a time."""

    def __init__(self, requests, seconds):
        self.left = requests
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ends = time.monotonic() + seconds

    def take(self):
        with self.lock:
            if self.stop.is_set() or time.monotonic() >= self.ends or self.left <= 0:
                self.stop.set()
                return False
            self.left -= 1
            return True


def live(person, password, budget, ramp, rng):
    # People arrive over the ramp, not all in the same second.
    if budget.stop.wait(rng.uniform(0, ramp)):
        return
    if not budget.take():
        return
    logged_in = person.login(password)
    person.results.arrived()
    if not logged_in:
        return
    person.land()  # where the login leads
    labels = [label for label, _ in person.pages]
    weights = [weight for _, weight in person.pages]
    while not budget.stop.wait(rng.uniform(*THINK_SECONDS)):
        if not budget.take():
            return
        label = rng.choices(labels, weights)[0]
        try:
            person.visit(label)
        except MissingForm as error:
            person.results.error(label, str(error))


def probe(base, username, password, results, budget):
    """The floor, once a second: the health check and a minimal logged-in page."""
    person = Person(base, username, Results())
    person.login(password)
    person.results = results
    while not budget.stop.wait(1.0) and time.monotonic() < budget.ends:
        person.fetch("floor: /healthz", "/healthz")
        person.fetch("floor: minimal logged-in page", "/accounts/password_change/done/")


# Figures


def percentile(values, share):
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


def server_requests(log_path):
    """Gunicorn's own time of each request (its access log): (when, label the client put in
    its User-Agent, request line, seconds)."""
    pattern = re.compile(
        r'\[([^\]]+)\] "([^"]*)" \d{3} \S+ (\d+)ms "[^"]*" "' + AGENT + r' ([^"]+)"$'
    )
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            when = dt.datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp()
            yield when, match.group(4), match.group(2), int(match.group(3)) / 1000


def print_table(times, errors, server, order):
    head = (
        f"{'page':<38} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'server p95':>10} {'errors':>6}"
    )
    print(head)
    print("-" * len(head))
    missed = []
    labels = [label for label in order if label in times or label in errors]
    labels += sorted(set(times) - set(labels))
    by_label = times
    for label in labels:
        times = by_label.get(label, [])
        if not times:
            print(f"{label:<38} {0:>6} {'':>39} {errors.get(label, 0):>6}")
            continue
        p95 = percentile(times, 0.95) * 1000
        # Server-side: every request of the page, redirects included (a page's requests
        # are counted separately, so this is the slowest request's share).
        spent = server.get(label, [])
        server_p95 = f"{percentile(spent, 0.95) * 1000:.0f}" if spent else ""
        print(
            f"{label:<38} {len(times):>6} {percentile(times, 0.5) * 1000:>7.0f} {p95:>7.0f} "
            f"{percentile(times, 0.99) * 1000:>7.0f} {max(times) * 1000:>7.0f} "
            f"{server_p95:>10} {errors.get(label, 0):>6}"
        )
        if p95 >= TARGET_P95_MS and label != LOGIN_LABEL and not label.startswith("login"):
            missed.append(f"{label} ({p95:.0f} ms)")
    for label in sorted(set(errors) - set(labels)):
        print(f"{label:<38} {0:>6} {'':>39} {errors[label]:>6}")
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--coordinator-share", type=float, default=0.2)
    parser.add_argument("--seconds", type=float, default=240, help="length of the load phase")
    parser.add_argument("--requests", type=int, default=4000, help="page views at most")
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which people log in")
    parser.add_argument("--quick", action="store_true", help="60 s, people arriving over 15 s")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"the scratch database, its name starting with load_ (default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--port", type=int, default=18081)
    parser.add_argument("--keep-database", action="store_true", help="do not drop it afterwards")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="use the database left by --keep-database as it is (no seeding)",
    )
    parser.add_argument("--seed", type=int, default=2024, help="the people's choices")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.ramp = 60, 15
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database_name(args.database_url)
    coordinators = max(1, round(args.users * args.coordinator_share))
    reporters = args.users - coordinators
    password = secrets.token_urlsafe(16)
    work = Path(tempfile.mkdtemp(prefix="ketnghia-load-"))
    base = f"http://127.0.0.1:{args.port}/"
    env = loopback_environment(args.database_url, work, args.port)
    services = []
    failed = False
    results = Results()
    try:
        if args.reuse_database and database_exists(args.database_url):
            step(f"reusing the database {database_name(args.database_url)} as it is")
            manage(env, "migrate", "--noinput")
        else:
            step(f"fresh database {database_name(args.database_url)}")
            recreate_database(args.database_url, prefix="load_")
            step("migrate, seed_demo --scale province (with the story), ANALYZE")
            started = time.monotonic()
            manage(env, "migrate", "--noinput")
            manage(env, "seed_demo", "--force", "--scale", "province", "-v0")
            print(f"   seeded in {time.monotonic() - started:.0f} s", flush=True)
        people = create_people(
            env, coordinators=coordinators, reporters=reporters, password=password
        )
        analyze(args.database_url)
        manage(env, "collectstatic", "--noinput", "-v0")

        step(f"start gunicorn on {base} and one db_worker (DEBUG off)")
        gunicorn = Service("gunicorn", [GUNICORN, "-c", "deploy/gunicorn.conf.py"], env, work)
        services.append(gunicorn)
        worker = Service(
            "worker",
            [PYTHON, "manage.py", "db_worker", "--max-tasks", "50", "--no-reload"],
            env,
            work,
        )
        services.append(worker)
        wait_until_healthy(base, services)
        workers = sum(
            1
            for line in (work / "gunicorn.log").read_text().splitlines()
            if "Booting worker" in line
        )

        held = sorted(count for _, _, count in people["reporters"])
        busiest = people["reporters"][0][2]
        step(
            f"{args.users} people: {coordinators} coordinators, {reporters} reporters (agencies "
            f"holding {held[0]}-{busiest} assignments, median {held[len(held) // 2]}); "
            f"think {THINK_SECONDS[0]:.0f}-{THINK_SECONDS[1]:.0f} s; login over {args.ramp:.0f} s; "
            f"at most {args.seconds:.0f} s or {args.requests} page views; "
            f"gunicorn workers: {workers}"
        )
        rng = random.Random(args.seed)
        crowd = [
            Coordinator(base, name, results, people, random.Random(rng.random()))
            for name in people["coordinators"][:-1]
        ] + [
            Reporter(base, name, results, agency, random.Random(rng.random()))
            for name, agency, _count in people["reporters"]
        ]
        results.waiting = len(crowd)
        budget = Budget(args.requests, args.seconds)
        threads = [
            threading.Thread(
                target=live,
                args=(person, password, budget, args.ramp, random.Random(rng.random())),
                daemon=True,
            )
            for person in crowd
        ]
        threads.append(
            threading.Thread(
                target=probe,
                args=(base, people["coordinators"][-1], password, results, budget),
                daemon=True,
            )
        )
        leaders = gunicorn.process.pid, worker.process.pid
        cpu_client, cpu_before = time.process_time(), cpu_by_owner(*leaders)
        busy_machine, total_machine = machine_cpu()
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        cpu_client = time.process_time() - cpu_client
        cpu = {k: v - cpu_before[k] for k, v in cpu_by_owner(*leaders).items()}
        busy_now, total_now = machine_cpu()
        busy_machine, total_machine = busy_now - busy_machine, total_now - total_machine
        cores = total_machine / wall

        order = (
            ["floor: /healthz", "floor: minimal logged-in page", "login form (GET)", LOGIN_LABEL]
            + [label for label, _ in COORDINATOR_PAGES]
            + [label for label, _ in REPORTER_PAGES]
            + ["reporter: report page (submitted)", "reporter: submit report (POST)"]
        )
        requests = list(server_requests(work / "gunicorn.log"))
        arrival = (results.everyone_in or time.monotonic()) - started
        missed = []
        for steady, title, seconds in (
            (False, "Arrival: people logging in", arrival),
            (True, "Steady state: everyone logged in", wall - arrival),
        ):
            times, errors = results.phase(steady)
            # The access log's times are to the second: a request in the second the last
            # person logged in may be counted in the other phase.
            server, slowest = defaultdict(list), []
            for when, label, line, spent in requests:
                if (when >= (results.everyone_in_wall or float("inf"))) == steady:
                    server[label].append(spent)
                    slowest.append((spent, line, label))
            views = sum(len(v) for label, v in times.items() if not label.startswith("floor"))
            print(
                f"\n{title}, {seconds:.0f} s: {views} page views and logins "
                f"({views / max(seconds, 1):.1f}/s), {sum(errors.values())} errors"
            )
            missed = print_table(times, errors, server, order)
            slowest.sort(reverse=True)
            print(
                "slowest requests (server time): "
                + "; ".join(
                    f"{line} ({label}) {spent * 1000:.0f} ms" for spent, line, label in slowest[:5]
                )
            )
        print(
            "Times in ms as the client waited (redirects followed, the body read); server p95: "
            "gunicorn's own time of each request of the page (a redirect is a request)."
        )
        print()
        cpu["load generator"] = cpu_client
        cpu["anything else"] = busy_machine - sum(cpu.values())
        print(
            f"CPU over the run ({cores:.0f} cores, {wall:.0f} s; % of all the cores' time): "
            + ", ".join(
                f"{name} {seconds:.1f} s ({seconds / total_machine:.0%})"
                for name, seconds in cpu.items()
            )
            + f"; the machine busy {busy_machine / total_machine:.0%}"
        )
        if results.refused:
            print(f"submissions refused by the form: {results.refused}")
        if missed:
            print(f"p95 at or above {TARGET_P95_MS} ms in the steady state: {', '.join(missed)}")
        else:
            print(
                f"p95 under {TARGET_P95_MS} ms on every page in the steady state (the password "
                "check of the login excepted)"
            )
        if results.errors:
            failed = True
            print("errors (first 20):", file=sys.stderr)
            for sample in results.error_samples:
                print(f"  {sample}", file=sys.stderr)
    except SmokeFailure as error:
        failed = True
        print(f"LOAD BENCHMARK FAILED: {error}", file=sys.stderr, flush=True)
    finally:
        for service in reversed(services):
            service.stop()
        if failed:
            for service in services:
                print(f"--- last lines of {service.name}'s log:\n{service.tail()}", file=sys.stderr)
        if not args.keep_database:
            try:
                recreate_database(args.database_url, prefix="load_", create=False)
            except (psycopg.Error, SmokeFailure) as error:
                print(f"could not drop the scratch database: {error}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
