"""Consistent backups of the whole database, and restoring one (manage.py backup
and restore).

SQLite is copied online with SQLite's own backup API: a consistent snapshot
page by page while the site keeps serving, and restored the same way into the
live file, so nothing has to be stopped and no journal files are left behind.
PostgreSQL is dumped with pg_dump's custom format (one consistent snapshot,
taken in a single transaction) and restored with pg_restore --clean in one
transaction. History lives in the same database, so a backup holds every
revision, every user and group and their password hashes: the folder and the
files are readable by their owner only, and git ignores `backups/`.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


def backup_folder(folder=None):
    path = Path(folder or settings.BACKUP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def backup(folder=None):
    """Write a timestamped backup of the default database; return its path."""
    folder = backup_folder(folder)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    if connection.vendor == "sqlite":
        path = folder / f"db-{stamp}.sqlite3"
        with private_file(path):
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        return path
    if connection.vendor == "postgresql":
        path = folder / f"db-{stamp}.pgdump"
        with private_file(path):
            run_pg("pg_dump", "--format=custom", "--no-owner", f"--file={path}")
        return path
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def restore(path):
    """Replace the default database's content with the backup at `path`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    with open(path, "rb") as file:
        head = file.read(16)
    if connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite backup (this site runs on SQLite).")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite quick_check failed).")
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(
                f"{path} is not a pg_dump custom-format backup (this site runs on PostgreSQL)."
            )
        connection.close()  # our own session must not hold locks pg_restore needs
        run_pg(
            "pg_restore",
            f"--dbname={connection.settings_dict['NAME']}",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            path,
        )
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
    connection.close()  # nothing cached from before the restore is used again


class private_file:
    """The backup is created readable by its owner only, and removed if it fails."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.path.touch(mode=0o600, exist_ok=False)

    def __exit__(self, kind, error, traceback):
        if kind is not None:
            self.path.unlink(missing_ok=True)


def run_pg(program, *args):
    """Run a PostgreSQL client tool against the default database."""
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed: apt-get install postgresql-client-15 (or newer)."
        )
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    result = subprocess.run(
        [program, *map(str, args)], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()[-2000:]}")
