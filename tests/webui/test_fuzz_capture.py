"""Fuzzing the capture API as the backend calls it: any document and metadata give a held job or a clear
refusal (400, 413, 422), never a server error."""

from urllib.parse import quote_from_bytes

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, documents, header_text, seeds

SEEDS = seeds()


def encoded(text: str) -> str:
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"))


CONTENT_TYPES = ["application/pdf", "application/vnd.cups-pdf", "application/postscript", "text/plain", ""]


@FUZZ
@given(body=documents(SEEDS), user=header_text, title=header_text, options=header_text, copies=header_text,
       job_id=header_text, content_type=st.sampled_from(CONTENT_TYPES))
def test_any_capture_is_held_or_refused_never_a_server_error(client, token, body, user, title, options,
                                                             copies, job_id, content_type):
    sent = {"Authorization": f"Bearer {token}", "X-Job-User": encoded(user), "X-Job-Title": encoded(title),
            "X-Job-Options": encoded(options), "X-Job-Copies": encoded(copies), "X-Job-Id": encoded(job_id),
            "X-Job-Queue": "secure-print", "Content-Type": content_type, "Accept": "text/plain"}
    answer = client.post("/api/v1/capture", data=body, headers=sent)
    assert answer.status_code in (200, 201, 400, 413, 422), answer.text
