"""Imports every model so that Base.metadata knows all tables (Alembic and tests use this)."""

from printrelease.accounts.models import Department, LoginAttempt, User, WebSession
from printrelease.cards.models import Card
from printrelease.credentials.models import ApiToken
from printrelease.jobs.models import CaptureFailure, Job, JobEvent, JobState
from printrelease.printers.models import Printer
from printrelease.prices.models import Price
from printrelease.reports.models import ReportRun
from printrelease.stations.models import Station, Tap
from printrelease.usage.models import UsageRecord

__all__ = ["ApiToken", "CaptureFailure", "Card", "Department", "Job", "JobEvent", "JobState", "Printer", "Price",
           "ReportRun", "Station", "Tap", "LoginAttempt", "UsageRecord", "User", "WebSession"]
