"""How a job's states and options read on the pages (marked here, translated where shown)."""

from printrelease.i18n import N_

STATES = {
    "held": N_("Held"),
    "releasing": N_("Being sent"),
    "sent": N_("Sent to the printer"),
    "printed": N_("Printed"),
    "rejected": N_("Refused"),
    "deleted": N_("Deleted"),
    "expired": N_("Expired"),
    "failed": N_("Failed"),
    "lost": N_("Unknown: ask an administrator"),
}
SIDES = {
    "one-sided": N_("One-sided"),
    "two-sided-long-edge": N_("Two-sided (long edge)"),
    "two-sided-short-edge": N_("Two-sided (short edge)"),
}
COLOURS = {"color": N_("In colour"), "monochrome": N_("Black and white")}
