"""The production server's hooks: what the master does before each worker forks."""

import gc

from webui.serve import _gunicorn_server


def test_the_loaded_app_is_frozen_out_of_the_collectors_sight_before_each_fork(app, runtime):
    server = _gunicorn_server(app, runtime, {"bind": "127.0.0.1:0", "workers": 1})
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        server.cfg.pre_fork(None, None)
        # Objects alive before the fork (the app among them) now sit in the permanent generation.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
