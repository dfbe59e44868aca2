"""What an uploaded file is (by its first bytes, never by its name or the browser's word), and turning it
into a PDF in a separate process with memory, time and output-size limits.

The virtual queue's PPD converts with cups-filters; here PostScript goes through Ghostscript's pdfwrite
(-dSAFER) and text and pictures through reportlab (webui/upload/render.py, with an embedded Korean
font). Either runs under prlimit(1): a file built to exhaust memory, loop or write for ever costs one
bounded process and is refused with a reason.
"""

from __future__ import annotations

import codecs
import math
import signal
import subprocess
import sys
import threading
from pathlib import Path

from printrelease.errors import Invalid
from printrelease.i18n import N_, translate

PDF, POSTSCRIPT, TEXT, JPEG, PNG = "pdf", "postscript", "text", "jpeg", "png"
HEAD_BYTES = 4096
MEMORY_BYTES = 1024**3  # address space of one conversion
SECONDS = 60.0  # and its time, CPU and wall clock alike
# Conversions at once in one server process: more uploads wait their turn rather than take the machine.
_CONVERTING = threading.BoundedSemaphore(2)


class UnreadableUpload(Invalid):
    code = "unreadable_upload"
    template = N_("this file cannot be printed: %(why)s")

    def words(self, language: str | None = "en") -> str:
        # The reason is a message of its own (marked with N_ where it is made), worded in the same language.
        params = {**self.params, **({"why": translate(self.params["why"], language)} if "why" in self.params else {})}
        return translate(self.template, language, **params)


NOT_A_KIND = N_("only PDF, PostScript, plain text, JPEG and PNG files can be printed here")


def sniff(head: bytes) -> str:
    """The kind of a file from its first bytes; raises UnreadableUpload for anything else."""
    if not head:
        raise UnreadableUpload(why=N_("the file is empty"))
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.lstrip(b"\x04").startswith(b"%!"):
        return POSTSCRIPT
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if _looks_like_text(head):
        return TEXT
    raise UnreadableUpload(NOT_A_KIND)


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 (with or without a BOM) or the Korean Windows code page, without NUL or other control bytes
    but tabs, line ends and form feeds."""
    if any(byte < 32 and byte not in (9, 10, 12, 13, 27) for byte in head):
        return False
    for encoding in ("utf-8-sig", "cp949"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)  # a cut last character is fine
            return True
        except UnicodeDecodeError:
            continue
    return False


def to_pdf(source: Path, kind: str, target: Path, title: str, max_bytes: int,
           memory_bytes: int = MEMORY_BYTES, seconds: float = SECONDS) -> None:
    """Write `source` (of `kind`, not PDF) as a PDF to `target`, at most `max_bytes` long."""
    if kind == POSTSCRIPT:
        command = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOINTERPOLATE", "-sDEVICE=pdfwrite",
                   f"-sOutputFile={target}", "-f", str(source)]
    else:
        command = [sys.executable, "-m", "webui.upload.render", kind, str(source), str(target), title]
    cpu = max(1, math.ceil(seconds))
    # SIGXCPU at the soft CPU limit says why it stopped; the hard limit a second later makes sure it does.
    limits = ["prlimit", f"--as={memory_bytes}", f"--cpu={cpu}:{cpu + 1}", f"--fsize={max_bytes}"]
    try:
        with _CONVERTING:
            _run([*limits, *command], target, seconds)
    except UnreadableUpload:
        target.unlink(missing_ok=True)  # half a PDF is no PDF
        raise


def _run(command: list[str], target: Path, seconds: float) -> None:
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise UnreadableUpload(why=N_("converting it took too long")) from None
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if detail and detail[-1].startswith("refused: "):
            raise UnreadableUpload(why=detail[-1].removeprefix("refused: "))
        if done.returncode in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ):  # the PDF grew past the size limit
            raise UnreadableUpload(why=N_("it is too large once converted to PDF"))
        if done.returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
            raise UnreadableUpload(why=N_("converting it took too long"))
        raise UnreadableUpload(why=N_("it could not be converted to PDF (it may be damaged)"))
