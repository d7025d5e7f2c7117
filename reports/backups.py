"""Backups: one archive with the database, the private and media files and a manifest;
a restore that puts it back into an empty database and empty folders, or changes nothing.

The archive is a gzip-compressed tar named by the local date and time. The database is in the
engine's own format: ``pg_dump --format=custom`` for PostgreSQL, SQLite's online backup (a
consistent copy while the application writes) for SQLite. ``manifest.json``, written last,
records the format, the engine, the schema (the latest applied migration of every app) and the
size and SHA-256 of every other member, so that a restore can prove the archive whole before it
writes anything.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import django
import psycopg
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Members under these prefixes go back to the folder the setting names.
FOLDER_SETTINGS = {"private": "PRIVATE_MEDIA_ROOT", "media": "MEDIA_ROOT"}
CHUNK = 1024 * 1024
POSTGRES_ENVIRONMENT = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
}


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why and what to do."""


class Backup(NamedTuple):
    """An archive written, and what its manifest says."""

    path: Path
    manifest: dict


def file_count(manifest):
    """How many private and media files an archive holds (the database aside)."""
    return sum(1 for name in manifest["members"] if PurePosixPath(name).parts[0] in FOLDER_SETTINGS)


# Creating an archive


def backup_create(*, destination):
    """Write an archive of the configured database and files into the folder ``destination``
    and return it with its manifest. The file appears under its final name only when complete."""
    now = timezone.localtime()
    path = Path(destination) / f"ketnghia-{now:%Y-%m-%d-%H%M}.tar.gz"
    if path.exists():
        raise BackupError(_("An archive named %(name)s already exists.") % {"name": path.name})
    engine = connection.vendor
    if engine not in DATABASE_MEMBERS:
        raise BackupError(_("Backups support PostgreSQL and SQLite only."))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest = _make_archive(path, engine, now)
    except (OSError, sqlite3.Error) as error:  # no room, no permission, a file gone meanwhile
        raise BackupError(
            _("The archive %(archive)s cannot be written: %(error)s")
            % {"archive": path, "error": error}
        ) from error
    return Backup(path, manifest)


def _make_archive(path, engine, now):
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "engine": engine,
        "schema": database_schema(),
        "django": django.get_version(),
        "members": {},
    }
    # Working files stay beside the archive: the same disk, and no copy of personal data left
    # in a shared temporary folder.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".ketnghia-backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[engine]
        _dump_database(engine, dump)
        _write_archive(path, [(dump.name, dump), *_files_to_archive()], manifest)
    return manifest


def database_schema():
    """The latest applied migration of every app of this code, from ``django_migrations``."""
    apps = {app for app, _name in _disk_migrations()}
    applied = MigrationRecorder(connection).applied_migrations()
    return _latest((app, name) for app, name in applied if app in apps)


def code_schema():
    """The latest migration of every app, as this code's migration files have it."""
    return _latest(_disk_migrations())


def _disk_migrations():
    return MigrationLoader(None, ignore_no_migrations=True).disk_migrations


def _latest(migrations):
    # Migration names begin with their number, so the greatest name is the latest.
    latest = {}
    for app, name in migrations:
        latest[app] = max(name, latest.get(app, name))
    return dict(sorted(latest.items()))


def _dump_database(engine, path):
    if engine == "postgresql":
        database = connection.settings_dict
        _run_postgres("pg_dump", ["--format=custom", f"--file={path}"], database)
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)


def _files_to_archive():
    for prefix, setting in FOLDER_SETTINGS.items():
        root = Path(getattr(settings, setting))
        for path in sorted(root.rglob("*")):
            # Only regular files: the application writes no links or special files.
            if path.is_file() and not path.is_symlink():
                yield f"{prefix}/{path.relative_to(root).as_posix()}", path


class _HashingReader:
    """Hashes what tarfile reads, so that the checksum is of the very bytes archived."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _write_archive(path, members, manifest):
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".ketnghia-", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                for name, source in members:
                    manifest["members"][name] = _add_file(tar, name, source)
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _add_file(tar, name, source):
    info = tar.gettarinfo(str(source), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(source, "rb") as file:
        reader = _HashingReader(file)
        tar.addfile(info, reader)
    return {"size": reader.size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# Restoring an archive


def backup_restore(*, archive, database=None):
    """Put an archive back into an empty database (``database``: a settings dict as in
    ``DATABASES``; default the configured one) and the empty private and media folders.

    Everything is checked first — the archive whole, its engine and schema those of this code,
    the database and folders empty — and a refusal (``BackupError``) changes nothing.
    Returns the archive's manifest."""
    database = database or connection.settings_dict
    engine = ENGINES.get(database["ENGINE"])
    if engine is None:
        raise BackupError(_("Backups support PostgreSQL and SQLite only."))
    with tempfile.TemporaryDirectory(prefix="ketnghia-restore-") as staging:
        staging = Path(staging)
        manifest = _unpack(Path(archive), staging)
        _check_compatible(manifest, engine)
        _check_empty(engine, database)
        _restore_database(engine, database, staging / DATABASE_MEMBERS[engine])
        _restore_files(manifest, staging)
    return manifest


def _unpack(archive, staging):
    """Extract every member into ``staging`` while hashing it, then hold the result against
    the manifest: a member missing, extra, or not matching its checksum refuses the archive."""
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            found, manifest = _extract_members(tar, staging)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(
            _(
                "The archive %(archive)s cannot be read: it is not a backup archive, or it is "
                "damaged or incomplete."
            )
            % {"archive": archive}
        ) from error
    except OSError as error:  # no such file, no permission, the temporary folder full
        raise BackupError(
            _("The archive %(archive)s cannot be unpacked: %(error)s")
            % {"archive": archive, "error": error}
        ) from error
    if manifest is None:
        raise BackupError(_("The archive has no manifest (%(name)s).") % {"name": MANIFEST})
    expected = manifest["members"]
    for name in expected:
        if name not in found:
            raise BackupError(
                _("The archive is incomplete: %(member)s is missing.") % {"member": name}
            )
    for name, facts in found.items():
        if name not in expected:
            raise BackupError(
                _("The archive holds an unexpected file: %(member)s.") % {"member": name}
            )
        if facts != expected[name]:
            raise BackupError(
                _("The archive is damaged: %(member)s does not match its checksum.")
                % {"member": name}
            )
    return manifest


def _extract_members(tar, staging):
    found, manifest = {}, None
    for member in tar:
        name = _checked_name(member)
        if name in found or (name == MANIFEST and manifest is not None):
            raise BackupError(_("The archive holds %(member)s twice.") % {"member": name})
        source = tar.extractfile(member)
        if name == MANIFEST:
            manifest = _read_manifest(source)
            continue
        found[name] = _extract(source, staging / name)
    return found, manifest


def _checked_name(member):
    """A member's name, if it is a regular file where a backup puts files; nothing else is
    ever extracted (no absolute paths, no ``..``, no links)."""
    path = PurePosixPath(member.name)
    inside = (
        not path.is_absolute()
        and ".." not in path.parts
        and (
            member.name in (MANIFEST, *DATABASE_MEMBERS.values())
            or (len(path.parts) > 1 and path.parts[0] in FOLDER_SETTINGS)
        )
    )
    if not member.isfile() or not inside:
        raise BackupError(
            _("The archive holds an unexpected file: %(member)s.") % {"member": member.name}
        )
    return path.as_posix()


def _read_manifest(source):
    try:
        manifest = json.loads(source.read().decode())
    except ValueError:
        manifest = None
    if not (
        isinstance(manifest, dict)
        and isinstance(manifest.get("members"), dict)
        and isinstance(manifest.get("schema"), dict)
    ):
        raise BackupError(_("The archive's manifest cannot be read."))
    return manifest


def _extract(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    sha256, size = hashlib.sha256(), 0
    with source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            sha256.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": sha256.hexdigest()}


def _check_compatible(manifest, engine):
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("The archive's format (%(format)s) is not one this version can restore.")
            % {"format": manifest.get("format")}
        )
    if manifest.get("engine") != engine:
        raise BackupError(
            _("The archive holds a %(archived)s database; this installation uses %(current)s.")
            % {
                "archived": ENGINE_NAMES.get(manifest.get("engine"), manifest.get("engine")),
                "current": ENGINE_NAMES[engine],
            }
        )
    if DATABASE_MEMBERS[engine] not in manifest["members"]:
        raise BackupError(
            _("The archive is incomplete: %(member)s is missing.")
            % {"member": DATABASE_MEMBERS[engine]}
        )
    _check_schema(manifest["schema"])


def _check_schema(archived):
    """The archive's schema must be this code's: say which side is newer and what to do."""
    known = _disk_migrations()
    current = _latest(known)
    for app in sorted(set(archived) | set(current)):
        if archived.get(app) == current.get(app):
            continue
        facts = {"app": app, "archived": archived.get(app, "—"), "current": current.get(app, "—")}
        if app in archived and (app, archived[app]) not in known:
            raise BackupError(
                _(
                    "The archive comes from a newer version of the application (%(app)s: "
                    "%(archived)s; this version has %(current)s). Update the application to "
                    "that version, then restore."
                )
                % facts
            )
        raise BackupError(
            _(
                "The archive comes from an older version of the application (%(app)s: "
                "%(archived)s; this version has %(current)s). Restore it with the version that "
                "made it, then update the application and run “manage.py migrate”."
            )
            % facts
        )


def _check_empty(engine, database):
    tables = _postgres_tables(database) if engine == "postgresql" else _sqlite_tables(database)
    if tables:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)d tables): restore only into an "
                "empty database."
            )
            % {"name": database["NAME"], "count": tables}
        )
    for setting in FOLDER_SETTINGS.values():
        folder = Path(getattr(settings, setting))
        if folder.exists() and any(path.is_file() for path in folder.rglob("*")):
            raise BackupError(
                _("The folder %(folder)s is not empty: restore only into empty folders.")
                % {"folder": folder}
            )


def _restore_database(engine, database, dump):
    if engine == "postgresql":
        # One transaction: a failure half-way leaves the database as empty as it was.
        options = ["--no-owner", "--exit-on-error", "--single-transaction"]
        _run_postgres("pg_restore", [*options, str(dump)], database)
    else:
        _sqlite_restore(str(database["NAME"]), dump)


def _restore_files(manifest, staging):
    for name in manifest["members"]:
        prefix, _sep, relative = name.partition("/")
        if prefix in FOLDER_SETTINGS:
            target = Path(getattr(settings, FOLDER_SETTINGS[prefix])) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging / name, target)


# The engines


def _sqlite_open(name):
    # A "file:" name is a URI (an in-memory database in tests); any other is a plain path.
    return sqlite3.connect(name, uri=True)


def _sqlite_restore(name, dump):
    created = not name.startswith("file:") and not Path(name).exists()
    try:
        if created:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(dump)) as source, closing(_sqlite_open(name)) as target:
            source.backup(target)
    except (OSError, sqlite3.Error) as error:
        if created:  # leave no half-written database behind
            Path(name).unlink(missing_ok=True)
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": "SQLite", "error": error}
        ) from error


def _sqlite_tables(database):
    name = str(database["NAME"])
    if not name.startswith("file:") and not Path(name).exists():
        return 0  # opening would create the file
    with closing(_sqlite_open(name)) as db:
        return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]


def postgres_params(database):
    """libpq's parameters for a database of ``DATABASES``, the empty ones left to libpq."""
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "sslmode": database.get("OPTIONS", {}).get("sslmode"),
    }
    return {key: str(value) for key, value in params.items() if value}


def _postgres_tables(database):
    try:
        with psycopg.connect(**postgres_params(database)) as db:
            query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            return db.execute(query).fetchone()[0]
    except psycopg.Error as error:
        raise BackupError(
            _("Cannot connect to the database %(name)s: %(error)s")
            % {"name": database["NAME"], "error": error}
        ) from error


def _run_postgres(program, arguments, database):
    """Run pg_dump or pg_restore on ``database``; the password goes through the environment,
    never the command line (which other users of the machine can read)."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _("%(program)s is not installed: install Debian's postgresql-client package.")
            % {"program": program}
        )
    params = postgres_params(database)
    variables = {
        POSTGRES_ENVIRONMENT[key]: value for key, value in params.items() if key != "dbname"
    }
    env = {**os.environ, **variables}
    command = [executable, "--no-password", f"--dbname={params['dbname']}", *arguments]
    # A list of arguments and no shell: nothing in the settings is interpreted.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": result.stderr.strip()}
        )
