"""Invariants Django cannot declare portably, kept by the database itself.

Two assignments of the same party, target (village or commune) and role may not overlap in
time. PostgreSQL says it with an exclusion constraint over date ranges (btree_gist, a trusted
extension since PostgreSQL 13); SQLite with triggers. SQLite drops a table's triggers when a
migration rebuilds the table, so they are created again after every ``migrate`` (apps.py).
"""

OVERLAP_NAME = "assignment_no_overlap"

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE assignments_assignment ADD CONSTRAINT {OVERLAP_NAME} EXCLUDE USING gist (
        agency_id WITH =,
        (COALESCE(village_id, 0)) WITH =,
        (COALESCE(commune_id, 0)) WITH =,
        role WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    )
    """,
]
POSTGRES_REMOVE = [f"ALTER TABLE assignments_assignment DROP CONSTRAINT IF EXISTS {OVERLAP_NAME}"]

_SQLITE_CONDITION = """
    EXISTS (
        SELECT 1 FROM assignments_assignment AS other
        WHERE other.agency_id = NEW.agency_id
          AND other.role = NEW.role
          AND COALESCE(other.village_id, 0) = COALESCE(NEW.village_id, 0)
          AND COALESCE(other.commune_id, 0) = COALESCE(NEW.commune_id, 0)
          AND other.start_date <= COALESCE(NEW.end_date, '9999-12-31')
          AND COALESCE(other.end_date, '9999-12-31') >= NEW.start_date
          {extra}
    )
"""
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {OVERLAP_NAME}_insert
    BEFORE INSERT ON assignments_assignment
    WHEN {_SQLITE_CONDITION.format(extra="")}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {OVERLAP_NAME}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {OVERLAP_NAME}_update
    BEFORE UPDATE OF agency_id, role, village_id, commune_id, start_date, end_date
    ON assignments_assignment
    WHEN {_SQLITE_CONDITION.format(extra="AND other.id <> NEW.id")}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {OVERLAP_NAME}'); END
    """,
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {OVERLAP_NAME}_insert",
    f"DROP TRIGGER IF EXISTS {OVERLAP_NAME}_update",
]


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [OVERLAP_NAME])
            if cursor.fetchone():
                return
        _run(connection, POSTGRES_INSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_INSTALL)


def remove(connection):
    if connection.vendor == "postgresql":
        _run(connection, POSTGRES_REMOVE)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_REMOVE)


def installed(connection):
    """Whether the guard is in place (a test asserts it after all migrations)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [OVERLAP_NAME])
            return cursor.fetchone() is not None
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{OVERLAP_NAME}%"],
        )
        return cursor.fetchone()[0] == 2
