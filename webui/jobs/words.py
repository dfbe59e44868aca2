"""How a job's states and options read on the pages (marked here, translated where shown)."""

from printrelease.i18n import N_
from printrelease.jobs.words import STATES  # noqa: F401 - the pages read them from here

SIDES = {
    "one-sided": N_("One-sided"),
    "two-sided-long-edge": N_("Two-sided (long edge)"),
    "two-sided-short-edge": N_("Two-sided (short edge)"),
}
COLOURS = {"color": N_("In colour"), "monochrome": N_("Black and white")}
