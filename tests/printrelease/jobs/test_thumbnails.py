"""The first page of a held job as a small PNG: drawn by pdftoppm under limits, cached beside the document,
deleted with it, shown to its owner only, and a clear error for what cannot be drawn."""

import subprocess
from pathlib import Path

import pytest

from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.service import delete_job
from printrelease.jobs.thumbnails import NoThumbnail, ThumbnailLimits, draw, first_page
from printrelease.jobs.models import Job
from tests.printrelease.jobs.helpers import capture

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def picture(runtime, job_id, owner="김성렬", limits=ThumbnailLimits()):
    with runtime.sessions() as session:
        page = first_page(session, runtime.spool, job_id, owner)
    return draw(runtime.spool, page, limits)


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_owner_gets_a_small_png_drawn_once_then_cached(runtime, pdf, monkeypatch):
    job_id, _, _ = capture(runtime, pdf)
    path = picture(runtime, job_id)
    width, height = png_size(path)
    assert max(width, height) == 200 and path.parent == runtime.spool.root

    def no_drawing(*args, **kwargs):
        raise AssertionError("a cached picture is not drawn again")

    monkeypatch.setattr(subprocess, "run", no_drawing)
    assert picture(runtime, job_id) == path


def test_someone_elses_job_is_unknown(runtime, pdf):
    job_id, _, _ = capture(runtime, pdf)
    for owner in ("이지영", "김성렬 ", ""):
        with pytest.raises(UnknownJob):
            picture(runtime, job_id, owner)
    with pytest.raises(UnknownJob):
        picture(runtime, job_id + 1000)


def test_the_picture_goes_with_the_document(runtime, pdf):
    job_id, _, _ = capture(runtime, pdf)
    path = picture(runtime, job_id)
    with runtime.sessions.begin() as session:
        delete_job(session, runtime.spool, job_id, "김성렬", owner="김성렬")
    assert not path.exists()
    with pytest.raises(NoThumbnail):
        picture(runtime, job_id)


def test_a_picture_left_without_its_document_is_swept(runtime, pdf):
    job_id, _, _ = capture(runtime, pdf)
    path = picture(runtime, job_id)
    runtime.spool.path_for(path.name.split(".")[0]).unlink()
    assert runtime.spool.sweep_thumbnails() == 1 and not path.exists()


@pytest.mark.parametrize("damage", ["header-only.pdf", "flate-garbage.pdf", "binary-garbage.ps"])
def test_a_document_that_cannot_be_drawn_is_a_clear_error(runtime, pdf, damage):
    job_id, _, _ = capture(runtime, pdf)
    with runtime.sessions() as session:
        key = session.get(Job, job_id).storage_key
    runtime.spool.path_for(key).write_bytes((CORPUS / damage).read_bytes())
    with pytest.raises(NoThumbnail) as raised:
        picture(runtime, job_id)
    assert raised.value.code == "no_thumbnail" and "쪽" in raised.value.words("ko")
    # No picture, only the empty one that remembers the failure; nothing left in the temporary folder.
    assert runtime.spool.thumbnail_path(key).stat().st_size == 0 and list(runtime.spool.tmp.iterdir()) == []


def test_drawing_runs_within_its_memory_limit(runtime, pdf):
    job_id, _, _ = capture(runtime, pdf)
    with pytest.raises(NoThumbnail):
        picture(runtime, job_id, limits=ThumbnailLimits(memory_bytes=8 * 1024 * 1024))
