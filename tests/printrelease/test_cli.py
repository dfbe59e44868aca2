"""The command line in-process: help, users, listing; errors become one-line messages."""

from printrelease.accounts.service import get_user


def test_help_lists_every_command(runner):
    result = runner.invoke("--help")
    for command in ("serve", "db", "cups", "printers", "users", "jobs", "demo"):
        assert f"  {command} " in result.output
    jobs = runner.invoke("jobs", "--help").output
    for command in ("list", "release", "delete", "expire"):
        assert command in jobs


def test_users_import_with_korean_names(runner, runtime, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("\ufefflogin,display_name,email,department,department_name\n"
                        "kimsr,김성렬,kimsr@example.go.kr,budget,기획예산과\n"
                        "leejy,이지영,,civil,민원봉사과\n", encoding="utf-8")
    assert "2 created, 0 updated" in runner.invoke("users", "import", str(csv_file)).output
    assert "0 created, 2 updated" in runner.invoke("users", "import", str(csv_file)).output
    with runtime.sessions() as session:
        user = get_user(session, "kimsr")
        assert (user.display_name, user.department.code, user.department.name) == ("김성렬", "budget", "기획예산과")
    listing = runner.invoke("users", "list").output
    assert "leejy\t이지영\tcivil\tactive" in listing


def test_a_bad_import_changes_nothing_and_says_why(runner, runtime, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("login,display_name,office\nkimsr,김성렬,3F\n", encoding="utf-8")
    result = runner.invoke("users", "import", str(csv_file))
    assert result.exit_code == 1 and "unknown column(s): office" in result.output
    csv_file.write_text("login,display_name\nkimsr,김성렬\n,빈 줄\n", encoding="utf-8")
    result = runner.invoke("users", "import", str(csv_file))
    assert result.exit_code == 1 and "line 3: empty login" in result.output
    assert "kimsr" not in runner.invoke("users", "list").output


def test_users_add_and_unknown_printer(runner):
    assert "kimsr\t김성렬\tbudget" in runner.invoke("users", "add", "kimsr", "--name", "김성렬",
                                                     "--department", "budget").output
    result = runner.invoke("jobs", "release", "--user", "kimsr", "--printer", "nowhere")
    assert result.exit_code == 1 and "unknown printer 'nowhere'" in result.output


def test_jobs_list_is_empty_on_a_new_database(runner):
    result = runner.invoke("jobs", "list")
    assert result.exit_code == 0 and result.output == ""
