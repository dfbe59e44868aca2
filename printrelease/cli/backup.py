"""`printrelease backup` and `printrelease restore`: the whole site into a folder and back."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import click

from printrelease.backup import BackupProblem, check_new_folder, backup as make_backup, restore as restore_backup
from printrelease.i18n import N_
from printrelease.privileges import as_invoker, become_service_user, must_drop


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup(runtime, folder: Path) -> None:
    """Copy the database, the held documents, the keys and the configuration into the new FOLDER (mode
    0700: it holds the keys). SQLite is copied online; PostgreSQL with pg_dump."""
    folder = folder.absolute()  # the service user may not enter the folder this was run from
    check_new_folder(folder)  # before anything changes hands: a folder in use is never given away
    made = must_drop(runtime.settings) and not folder.exists()
    if made:
        # Made by root for the service user, who writes the copy: root may choose where backups live. A
        # folder that existed before is never given away (an empty /srv, say).
        folder.mkdir(mode=0o700, parents=True)
        account = pwd.getpwnam(runtime.settings.service_user)
        os.chown(folder, account.pw_uid, account.pw_gid)
    become_service_user(runtime.settings, keep_root=made)
    # As the service user, who cannot even see a folder under /root: then its parent is what it reaches.
    target = folder if os.path.exists(folder) else folder.parent
    if os.path.exists(target) and not os.access(target, os.W_OK | os.X_OK):
        if made:
            with as_invoker():
                folder.rmdir()
        raise BackupProblem(N_("%(user)s cannot write in %(folder)s (a folder under /root, or one that is not "
                               "theirs): back up into a new folder it can reach, such as "
                               "/var/backups/printrelease/DATE"),
                            user=runtime.settings.service_user or "this user", folder=str(folder))
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
