"""Who a command acts as: root becomes the service user before touching data, so the files it makes
are the service's; anyone else is sent to the one command that works.

A few commands write a file for the administrator (a station's token, a report) where the administrator
said, often a folder the service user cannot even enter (/root): they become the service user keeping
the way back (`keep_root`), and write that one file as root again (`as_invoker`). The server and every
other command let root go for good.
"""

from __future__ import annotations

import os
import pwd
from contextlib import contextmanager

from printrelease.config import ConfigError, Settings
from printrelease.i18n import N_


def invoking_login() -> str:
    """The person behind this process: the sudo caller if any, else the account it runs as."""
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user and os.getuid() == 0:
        return sudo_user
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def service_account(settings: Settings) -> pwd.struct_passwd | None:
    """The configured service user's account, None when none is configured."""
    if not settings.service_user:
        return None
    try:
        return pwd.getpwnam(settings.service_user)
    except KeyError:
        raise ConfigError(N_("the service user '%(user)s' named in %(file)s does not exist: run the installer "
                             "(make install) or adduser --system --group %(user)s"),
                          user=settings.service_user, file=str(settings.config_file or "the environment")) from None


def must_drop(settings: Settings) -> bool:
    """Whether this process runs as root on an installation with a service user."""
    return os.geteuid() == 0 and bool(settings.service_user)


def become_service_user(settings: Settings, keep_root: bool = False) -> None:
    """Drop root for the service user (its groups too: lpadmin lets it resume CUPS queues); refuse other
    accounts, which would make files the service cannot use or fail half-way for want of permission.

    With `keep_root`, root stays the saved user id, for `as_invoker`; the kernel then keeps the service
    user from tracing or reading this process, as it does for any process that changed its ids."""
    account = service_account(settings)
    if account is None or os.geteuid() == account.pw_uid:
        return
    if os.geteuid() != 0:
        raise ConfigError(N_("this installation runs as '%(user)s'; run the command as root (sudo printrelease "
                             "...), which acts as %(user)s"), user=account.pw_name)
    os.setgroups(os.getgrouplist(account.pw_name, account.pw_gid))
    os.setresgid(account.pw_gid, account.pw_gid, 0 if keep_root else account.pw_gid)
    os.setresuid(account.pw_uid, account.pw_uid, 0 if keep_root else account.pw_uid)
    os.environ.update(HOME=account.pw_dir, USER=account.pw_name, LOGNAME=account.pw_name)
    # The service's files are for the service (and its group, for backups): nobody else reads them.
    os.umask(0o027)


@contextmanager
def as_invoker():
    """Root again for the block, if the command kept the way back (become_service_user(keep_root=True)):
    for the administrator's own file only, never the service's data. Otherwise the block runs as is."""
    uid, gid = os.geteuid(), os.getegid()
    if os.getresuid()[2] != 0 or uid == 0:
        yield
        return
    os.seteuid(0)
    os.setegid(0)
    try:
        yield
    finally:
        os.setegid(gid)
        os.seteuid(uid)
