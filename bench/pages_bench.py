"""Server time and query count of the main pages at province or national scale.

Builds a throwaway test database on the DATABASE_URL server, loads the demo and
`seed_demo --scale SCALE`, runs ANALYZE (autovacuum is off on these machines), then requests
each page through Django's test client (the whole request: middleware, views, queries,
templates; no network) and prints the median time over the runs and the number of queries.
The first line is a minimal logged-in page: the floor. `--existing` measures the database of
DATABASE_URL as it is (already seeded), without creating or dropping anything.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ketnghia \\
        .venv/bin/python bench/pages_bench.py
        [--scale province|national] [--runs 7] [--existing]
"""

import argparse
import statistics

from common import analyze, connection, counted, throwaway_database
from django.core.management import call_command
from django.test import Client


def measure(client, url, runs):
    client.get(url)  # warm caches (templates, translations)
    times, queries = [], 0
    for _ in range(runs):
        response, seconds, queries = counted(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        times.append(seconds)
    return statistics.median(times) * 1000, queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", default="province", choices=["province", "national"])
    parser.add_argument("--existing", action="store_true")
    args = parser.parse_args()
    if args.existing:
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        run(args)
        return
    with throwaway_database():
        _, seconds, _ = counted(
            lambda: call_command("seed_demo", force=True, scale=args.scale, verbosity=0)
        )
        analyze()
        print(f"seed_demo --scale {args.scale}: {seconds:.1f} s (then ANALYZE)")
        run(args)


def pages():
    from django.db.models import Count, Q
    from django.utils import timezone

    from assignments.models import (
        Agency,
        AgencyMembership,
        ReportingDeadline,
        User,
        Village,
        in_force_q,
    )
    from reports.models import Report

    today = timezone.localdate()
    coordinator = User.objects.get(username="dieuphoi")
    reporter = User.objects.get(username="vhttdl")
    busy = (
        Agency.objects.annotate(
            held=Count(
                "assignments",
                filter=Q(in_force_q(today, "start_date", "end_date", prefix="assignments")),
            )
        )
        .order_by("-held")
        .first()
    )
    # The focal officer of the busiest agency: the reporter whose pages hold most rows.
    busy_reporter, _ = User.objects.get_or_create(
        username="bench-busy-reporter", defaults={"role": User.Role.REPORTER}
    )
    AgencyMembership.objects.get_or_create(user=busy_reporter, agency=busy)
    report = Report.objects.exclude(status="draft").order_by("-pk").first()
    village = Village.objects.filter(name="Dip").first()
    # The form of the busiest agency's latest report still open: it lists the period's
    # activities.
    submitted = Report.objects.filter(agency=busy).exclude(status="draft").values("deadline")
    latest = (
        ReportingDeadline.objects.filter(rule__reporter="agencies", due_date__lte=today)
        .exclude(pk__in=submitted)
        .order_by("-due_date")
        .first()
    )
    return busy, [
        ("floor: minimal logged-in page", "/accounts/password_change/done/", coordinator),
        ("dashboard", "/dashboard/", coordinator),
        ("compliance matrix (one year)", "/compliance/", coordinator),
        ("compliance matrix (all years)", "/compliance/?all_years=1", coordinator),
        ("review queue", "/review/", coordinator),
        ("reports", "/reports/", coordinator),
        ("report", f"/reports/{report.pk}/", coordinator),
        ("activities", "/activities/", coordinator),
        ("agencies", "/agencies/", coordinator),
        (f"agency page ({busy.held} assignments)", f"/agencies/{busy.pk}/", coordinator),
        ("villages", "/villages/", coordinator),
        ("village page (làng Dip)", f"/villages/{village.pk}/", coordinator),
        ("restructurings", "/restructuring/", coordinator),
        ("deadlines", "/deadlines/", coordinator),
        ("extensions", "/extensions/", coordinator),
        ("search", "/search/?q=lang", coordinator),
        ("change log", "/audit/", coordinator),
        ("reporter: deadlines", "/deadlines/", reporter),
        ("reporter: activities", "/activities/", reporter),
        ("busy reporter: agency page", f"/agencies/{busy.pk}/", busy_reporter),
        ("busy reporter: deadlines", "/deadlines/", busy_reporter),
        ("busy reporter: reports", "/reports/", busy_reporter),
        ("busy reporter: activities", "/activities/", busy_reporter),
        (
            "busy reporter: report form",
            f"/reports/{latest.pk}/{busy.pk}/",
            busy_reporter,
        ),
    ]


def run(args):
    _busy, listed = pages()
    print(f"database: {connection.vendor}; median of {args.runs} requests")
    clients = {}
    print(f"{'page':<40} {'median ms':>10} {'queries':>8}")
    for label, url, user in listed:
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        ms, queries = measure(client, url, args.runs)
        print(f"{label:<40} {ms:10.1f} {queries:8d}")


if __name__ == "__main__":
    main()
