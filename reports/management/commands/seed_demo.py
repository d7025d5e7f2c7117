from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from assignments import services
from assignments.fixtures import load_fixture
from assignments.models import Agency, AgencyMembership, Directive, ReportingRule, User
from reports import demo, synthetic

# Demo-only accounts, listed in README. Never create them on a production database.
DEMO_PASSWORD = "ketnghia-demo"  # noqa: S105
DEMO_USERS = [
    # username, role, full name, agencies (by name)
    ("dieuphoi", User.Role.COORDINATOR, ("Nguyễn Thị", "Hoa"), []),
    ("vhttdl", User.Role.REPORTER, ("Rơ Châm", "H'Bia"), ["Sở Văn hóa, Thể thao và Du lịch"]),
    ("noivu", User.Role.REPORTER, ("Trần Văn", "Nam"), ["Sở Nội vụ"]),
    ("btctu", User.Role.REPORTER, ("Đinh Thị", "Hằng"), ["Ban Tổ chức Tỉnh ủy"]),
    ("annhonbac", User.Role.REPORTER, ("Võ Minh", "Tâm"), ["Phường An Nhơn Bắc"]),
    ("lanhdao", User.Role.VIEWER, ("Lê Minh", "Quang"), []),
    ("quantri", User.Role.ADMIN, ("Phạm Đức", "Anh"), []),
]


class Command(BaseCommand):
    help = (
        "Load the demo data (the Gia Lai case from 2024 to today) and demo users; running it "
        "twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has agencies.",
        )
        parser.add_argument(
            "--scale",
            choices=["province", "national"],
            help="Add synthetic volume: 2,000 villages, 500 agencies, 3,000 assignments, ten "
            "years of deadlines, ~10,000 reports, 100,000 activities (national: ten times).",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (reproducible).")
        parser.add_argument(
            "--without-story",
            action="store_true",
            help="Load only the world of early 2024 (units, parties, villages, the 13-CT/TU "
            "letter and its list), without the events that followed.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow loading with DEBUG off (demo accounts have a published password).",
        )

    def handle(self, *args, if_empty, force, verbosity, scale, seed, without_story, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "Demo data includes accounts with a published password; with DEBUG off, "
                    "pass --force to load it anyway."
                )
            )
        if if_empty and Agency.objects.exists():
            self.stdout.write(_("The database already has data: demo data not loaded."))
            if verbosity and User.objects.filter(username=DEMO_USERS[0][0]).exists():
                self.print_accounts()
            return
        if Directive.objects.filter(number=demo.MARK).exists():
            # The story has changed the 2024 world (mergers, moves): loading the fixture again
            # would undo them. Nothing to do.
            self.stdout.write(_("The demo data and its story are already loaded."))
        else:
            with transaction.atomic():
                load_fixture("ethnic_groups")  # normally installed by a migration
                created, updated, unchanged = load_fixture("demo_gialai")
                for rule in ReportingRule.objects.all():
                    services.rule_sync_deadlines(rule=rule)
                users_created = self.create_users()
                demo.remembered_aliases()
                played = not without_story and demo.play()
                if played:
                    self.create_users()  # the parties the story created
            self.stdout.write(
                _(
                    "Demo data: %(created)d created, %(updated)d updated, %(unchanged)d "
                    "unchanged; %(users)d demo users created."
                )
                % {
                    "created": created,
                    "updated": updated,
                    "unchanged": unchanged,
                    "users": users_created,
                }
            )
            if played:
                self.stdout.write(_("The story from 2024 to today was played."))
        if scale:
            counts = synthetic.generate(scale, seed=seed)
            if counts is None:
                self.stdout.write(_("The synthetic data of this seed is already loaded."))
            else:
                self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        if verbosity:
            self.print_accounts()

    def create_users(self):
        count = 0
        for username, role, (first, last), agency_names in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": first,
                    "last_name": last,
                    "is_staff": role == User.Role.ADMIN,
                    "is_superuser": role == User.Role.ADMIN,
                    "email": f"{username}@example.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                count += 1
            for agency in Agency.objects.filter(name__in=agency_names):
                AgencyMembership.objects.get_or_create(user=user, agency=agency)
        return count

    def print_accounts(self):
        self.stdout.write(
            _("Demo accounts (for demonstration only), password for all: %(password)s")
            % {"password": DEMO_PASSWORD}
        )
        for username, role, _name, agencies in DEMO_USERS:
            where = f" – {', '.join(agencies)}" if agencies else ""
            self.stdout.write(f"  {username:<10} {User.Role(role).label}{where}")
