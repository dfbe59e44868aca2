"""How a job's states read to a person (marked here, translated where shown: pages, errors, the CLI)."""

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
