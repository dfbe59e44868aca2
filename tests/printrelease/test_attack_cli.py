"""Attacked at the command line: ids past the database's range are a usage error, not a traceback."""

import pytest

HUGE = "9" * 30


@pytest.mark.parametrize("args", [("jobs", "delete", HUGE), ("jobs", "resolve", HUGE, "--held"),
                                  ("jobs", "release", "--user", "kimsr", "--printer", "dept-a", "--job", HUGE),
                                  ("usage", "correct", HUGE, "--pages", "1", "--reason", "x", "--by", "finance"),
                                  ("stations", "unpair", "reader-a", "--kiosk", str(2**31))])
def test_an_id_past_the_databases_range_is_a_usage_error(runner, args):
    done = runner.invoke(*args)
    assert done.exit_code == 2 and "is not in the range" in done.output, done.output
