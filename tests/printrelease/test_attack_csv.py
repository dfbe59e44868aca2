"""Attacked through CSV files: what no database column can keep (NUL characters, as in a file saved as
UTF-16; cells longer than their column) is one line naming the line of the file, and nothing is imported,
on PostgreSQL as on SQLite; never a traceback."""

import pytest

from printrelease.accounts.service import find_user

ROWS = [
    ("users", b"login,display_name\nkimsr,\xea\xb9\x80\x00\n", "line 2 holds a NUL character"),
    ("users", b"login,display_name\nkim\x00sr,x\n", "line 2 holds a NUL character"),
    ("users", "login,department,department_name\nkimsr,b\x00x,예산\n".encode("cp949"), "line 2 holds a NUL"),
    ("users", "login,display_name\nkimsr,김성렬\n".encode("utf-16"), "neither UTF-8 nor CP949"),
    ("printers", b"name,queue\ndept\x00-a,dept-a\n", "line 2 holds a NUL character"),
    ("users", b"login,display_name,email\nleejy,x,y\nkimsr,x," + b"e" * 400 + b"\n", "line 3: the e-mail address"),
    ("users", b"login,department\nkimsr," + b"d" * 65 + b"\n", "line 2: the department code"),
    ("users", b"login,display_name\nkimsr," + "김".encode() * 201 + b"\n", "line 2: the display name"),
]


@pytest.mark.parametrize("kind, content, said", ROWS)
def test_what_no_column_keeps_is_one_line_and_nothing_is_imported(runner, runtime, tmp_path, kind, content, said):
    csv_file = tmp_path / "import.csv"
    csv_file.write_bytes(content)
    done = runner.invoke(kind, "import", str(csv_file))
    assert done.exit_code == 1 and said in done.output, done.output
    with runtime.sessions() as session:
        assert find_user(session, "leejy") is None and find_user(session, "kimsr") is None
