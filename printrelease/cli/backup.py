"""`printrelease backup` and `printrelease restore`: the whole site into a folder and back."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import click

from printrelease.backup import backup as make_backup, restore as restore_backup
from printrelease.privileges import become_service_user, must_drop


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup(runtime, folder: Path) -> None:
    """Copy the database, the held documents, the keys and the configuration into the new FOLDER (mode
    0700: it holds the keys). SQLite is copied online; PostgreSQL with pg_dump."""
    if must_drop(runtime.settings):
        # Made by root for the service user, who writes the copy: root may choose where backups live.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        account = pwd.getpwnam(runtime.settings.service_user)
        os.chown(folder, account.pw_uid, account.pw_gid)
    become_service_user(runtime.settings)
    report = make_backup(runtime, folder)
    click.echo(f"backup in {folder}: database, {report.documents} document(s), keys, configuration")
    for key in report.missing:
        click.echo(f"note: document {key} left the spool during the backup (printed, deleted or expired)",
                   err=True)


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
def restore(runtime, folder: Path) -> None:
    """Restore a backup into the configured data folder and database, which must be empty; stop the server
    first. Copy the backup's printrelease.conf to /etc/printrelease/ first when installing a new server."""
    manifest = restore_backup(runtime, folder)
    click.echo(f"restored the backup of {manifest['created_at']} (printrelease {manifest['version']}, "
               f"{manifest['documents']} document(s)) into {runtime.settings.data_dir}")
