"""Server time and query count of the main pages at province scale.

Builds a throwaway test database on the DATABASE_URL server, loads the demo data and
`seed_demo --scale province`, then requests each page through Django's test client (the whole
request: middleware, views, queries, templates; no network) and prints the median time over
the runs and the number of queries. The first line is a minimal logged-in page: the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ketnghia .venv/bin/python bench/pages_bench.py
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
    parser.add_argument("--scale", default="province")
    args = parser.parse_args()
    with throwaway_database():
        run(args)


def run(args):
    from assignments.models import Agency, User, Village
    from reports.models import Report

    _, seconds, _ = counted(
        lambda: call_command("seed_demo", force=True, scale=args.scale, verbosity=0)
    )
    analyze()
    print(f"database: {connection.vendor}; seed_demo --scale {args.scale}: {seconds:.1f} s")
    coordinator = User.objects.get(username="dieuphoi")
    reporter = User.objects.get(username="vhttdl")
    busy_agency = Agency.objects.filter(name__startswith="Phòng").order_by("pk").first()
    report = Report.objects.exclude(status="draft").order_by("-pk").first()
    village = Village.objects.filter(name="Dip").first()
    pages = [
        ("floor: minimal logged-in page", "/accounts/password_change/done/", coordinator),
        ("dashboard", "/dashboard/", coordinator),
        ("compliance matrix (one year)", "/compliance/", coordinator),
        ("compliance matrix (all years)", "/compliance/?all_years=1", coordinator),
        ("review queue", "/review/", coordinator),
        ("reports", "/reports/", coordinator),
        ("report", f"/reports/{report.pk}/", coordinator),
        ("activities", "/activities/", coordinator),
        ("agencies", "/agencies/", coordinator),
        ("agency page", f"/agencies/{busy_agency.pk}/", coordinator),
        ("villages", "/villages/", coordinator),
        ("village page (làng Dip)", f"/villages/{village.pk}/", coordinator),
        ("restructurings", "/restructuring/", coordinator),
        ("deadlines", "/deadlines/", coordinator),
        ("extensions", "/extensions/", coordinator),
        ("search", "/search/?q=lang", coordinator),
        ("change log", "/audit/", coordinator),
        ("reporter: deadlines", "/deadlines/", reporter),
        ("reporter: activities", "/activities/", reporter),
    ]
    clients = {}
    print(f"{'page':<34} {'median ms':>10} {'queries':>8}")
    for label, url, user in pages:
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        ms, queries = measure(client, url, args.runs)
        print(f"{label:<34} {ms:10.1f} {queries:8d}")


if __name__ == "__main__":
    main()
