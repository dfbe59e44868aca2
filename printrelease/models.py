"""Imports every model so that Base.metadata knows all tables (Alembic and tests use this)."""

from printrelease.accounts.models import Department, LoginAttempt, User, WebSession
from printrelease.audit.models import AuditEntry
from printrelease.cards.models import Card
from printrelease.credentials.models import ApiToken
from printrelease.jobs.models import CaptureFailure, Job, JobEvent, JobState
from printrelease.kiosks.models import Kiosk, KioskPairing
from printrelease.printers.models import Printer
from printrelease.prices.models import Price
from printrelease.reports.models import ReportRun
from printrelease.site.models import SiteSetting
from printrelease.stations.models import Station, Tap
from printrelease.usage.models import UsageRecord

__all__ = ["ApiToken", "AuditEntry", "CaptureFailure", "Card", "Department", "Job", "JobEvent", "JobState", "Kiosk",
           "KioskPairing", "Printer", "Price", "ReportRun", "SiteSetting", "Station", "Tap", "LoginAttempt",
           "UsageRecord", "User", "WebSession"]
