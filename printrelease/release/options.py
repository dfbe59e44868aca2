"""Fit a job's options to what the destination queue says it can do, so a real printer never refuses it."""

from __future__ import annotations

from dataclasses import dataclass

from printrelease.jobs.models import Job
from printrelease.printing import QueueInfo


@dataclass(frozen=True)
class Adapted:
    options: dict[str, str]
    sides: str
    color_mode: str
    notes: tuple[str, ...]


def adapt_options(job: Job, queue: QueueInfo) -> Adapted:
    notes = []
    # Named, not guessed: CUPS would otherwise type the spool file by its name or content.
    options = {"copies": str(job.copies), "document-format": job.format}
    sides = job.sides
    if sides not in queue.sides_supported:
        notes.append(f"{queue.name} cannot print {sides}; printing one-sided")
        sides = "one-sided"
    if sides in queue.sides_supported and len(queue.sides_supported) > 1:
        options["sides"] = sides
    colour = job.color_mode
    if colour not in queue.color_modes_supported:
        if colour == "color":
            notes.append(f"{queue.name} has no colour; printing in monochrome")
        colour = "monochrome"
    if len(queue.color_modes_supported) > 1:
        options["print-color-mode"] = colour
    if job.number_up > 1:
        options["number-up"] = str(job.number_up)
    return Adapted(options, sides, colour, tuple(notes))
