"""What the person at the printer is told after a tap: Korean first, English too, one line each."""

from __future__ import annotations

# Keys are TapOutcome's values (spelled out so the station agent need not import the models), plus
# "error" for a server the agent could not reach. {name}, {jobs}, {pages} and {printer} come from the tap.
WORDING: dict[str, tuple[str, str]] = {
    "released": (
        "{name}님, {jobs}건 {pages}쪽을 {printer}에서 출력합니다.",
        "{name}: printing {jobs} job(s), {pages} page(s) at {printer}."),
    "nothing_to_print": (
        "{name}님, 출력을 기다리는 문서가 없습니다.",
        "{name}: nothing is waiting to print."),
    "unknown_card": (
        "등록되지 않은 카드입니다. 지금 웹에 로그인해 이 카드를 등록하세요.",
        "Unknown card: log in on the web now to claim it."),
    "card_disabled": (
        "사용이 중지된 계정입니다. 관리자에게 문의하세요.",
        "This account is disabled; please ask the administrator."),
    "pin_required": (
        "PIN을 입력하세요. PIN이 없으면 관리자에게 문의하세요.",
        "Enter your PIN; if you have none, ask the administrator."),
    "wrong_pin": (
        "PIN이 틀렸습니다.",
        "Wrong PIN."),
    "printer_unavailable": (
        "프린터를 사용할 수 없습니다. 문서는 그대로 보류되어 있습니다.",
        "The printer is unavailable; your documents are still held."),
    "rate_limited": (
        "시도가 너무 많습니다. 잠시 후 다시 해 주세요.",
        "Too many tries; please wait a little and try again."),
    "error": (
        "인쇄 서버에 연결할 수 없습니다. 잠시 후 카드를 다시 대 주세요.",
        "The print server cannot be reached; tap again in a moment."),
}


def wording(outcome: str, name: str = "", jobs: int = 0, pages: int = 0, printer: str = "") -> dict[str, str]:
    """{"ko": ..., "en": ...} for a tap's outcome; an outcome without wording reads as an error."""
    korean, english = WORDING.get(outcome, WORDING["error"])
    values = {"name": name or "-", "jobs": jobs, "pages": pages, "printer": printer}
    return {"ko": korean.format(**values), "en": english.format(**values)}
