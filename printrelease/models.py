"""Imports every model so that Base.metadata knows all tables (Alembic and tests use this)."""

from printrelease.accounts.models import Department, User
from printrelease.credentials.models import ApiToken
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.printers.models import Printer
from printrelease.usage.models import UsageRecord

__all__ = ["ApiToken", "Department", "Job", "JobEvent", "JobState", "Printer", "UsageRecord", "User"]
