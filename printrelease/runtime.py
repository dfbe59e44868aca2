"""Wires settings to the objects every edge needs: engine, session factory, spool, print servers, releaser."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from printrelease.config import Settings
from printrelease.db import make_engine, make_page_session_factory, make_reading_session_factory, make_session_factory
from printrelease.jobs.capture import CapturePolicy
from printrelease.keys import load_or_create_key
from printrelease.printing import PrintServer
from printrelease.privileges import become_service_user, must_drop
from printrelease.spool import Spool


@dataclass
class Runtime:
    settings: Settings
    actor: str = "system"  # who acts through this runtime, for the audit trail ("cli:root", "web:kimsr")

    def _guard(self) -> None:
        # A root process would create database, spool and key files the service cannot use later: it
        # becomes the service user before it touches any (having read, as root, what the admin gave it).
        if must_drop(self.settings):
            become_service_user(self.settings)

    @cached_property
    def engine(self) -> Engine:
        self._guard()
        return make_engine(self.settings.effective_database_url, self.settings.idle_transaction_seconds)

    @cached_property
    def sessions(self) -> sessionmaker:
        return make_session_factory(self.engine)

    @cached_property
    def reading_sessions(self) -> sessionmaker:
        """Sessions for long reads (reports): they hold no lock that writers wait for."""
        return make_reading_session_factory(self.engine)

    @cached_property
    def page_sessions(self) -> sessionmaker:
        """Sessions for web pages that only read (db.make_page_session_factory)."""
        return make_page_session_factory(self.engine)

    @cached_property
    def spool(self) -> Spool:
        self._guard()
        return Spool(self.settings.spool_dir)

    @cached_property
    def site_settings(self):
        """The settings administrators change at run time (hold time, size limit), over the configuration's."""
        from printrelease.site.service import SiteSettingsCache

        # It reads beside a request's own transaction: on SQLite a writing session would wait for that one.
        return SiteSettingsCache(self.reading_sessions, self.settings)

    @cached_property
    def directory(self):
        """The directory logins are checked against (accounts/directory.py), None if none is configured."""
        from printrelease.accounts.directory import Directory

        return Directory(self.settings.ldap) if self.settings.ldap else None

    @property
    def capture_policy(self) -> CapturePolicy:
        site = self.site_settings.values()
        return CapturePolicy(
            hold_time=site.hold_time,
            max_job_bytes=site.max_job_bytes,
            auto_create_users=self.settings.auto_create_users,
            count_pages=self.analysis_pool.count_pages,
        )

    @property
    def analysis_pool(self):
        """The page-counting worker processes: one pool per process and set of limits, started on first use."""
        from printrelease.analysis_pool import AnalysisLimits, shared_pool

        return shared_pool(AnalysisLimits(workers=max(1, self.settings.analysis_workers),
                                          memory_bytes=self.settings.analysis_memory_mb * 1024 * 1024,
                                          seconds=self.settings.analysis_seconds))

    def print_server(self, address: str = "") -> PrintServer:
        """The print server at `address` (default: the configured one), one object per address so that
        its connections are reused."""
        from printrelease.printing.cups import CupsPrintServer

        address = address or self.settings.cups_server or ""
        servers = self.__dict__.setdefault("_print_servers", {})
        if address not in servers:
            servers[address] = CupsPrintServer(address)
        return servers[address]

    @cached_property
    def verified_tokens(self):
        from printrelease.credentials.service import VerifiedTokens

        return VerifiedTokens(self.sessions)

    @cached_property
    def releaser(self):
        from printrelease.release.service import ReleasePolicy, Releaser

        settings = self.settings
        policy = ReleasePolicy(lease=settings.release_lease, start_timeout=settings.start_timeout,
                               device_timeout=settings.device_timeout)
        return Releaser(self.sessions, self.spool, self.print_server, policy)

    @cached_property
    def card_key(self) -> bytes:
        """HMAC key for card numbers: configured, or made once for this data folder."""
        if not self.settings.card_key:
            self._guard()
        return (self.settings.card_key or load_or_create_key(self.settings.keys_dir / "card_key")).encode()

    @cached_property
    def secret_key(self) -> str:
        """Signs web sessions: configured, or made once for this data folder."""
        if not self.settings.secret_key:
            self._guard()
        return self.settings.secret_key or load_or_create_key(self.settings.keys_dir / "secret_key")

    @cached_property
    def taps(self):
        from printrelease.stations.service import TapService

        return TapService(self.sessions, self.releaser, self.card_key)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
