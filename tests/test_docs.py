"""The README documents every command, and its first lines are the two commands a new machine needs."""

import re

from typer.main import get_command

from extract.cli import app

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented():
    commands = sorted(get_command(app).commands)
    undocumented = [c for c in commands if f"`ogi {c}" not in README]
    assert not undocumented, f"commands missing from README.md: {undocumented}"


def test_readme_starts_with_setup_and_test_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    assert "ogi run" in first_block[0] and "pip install" in first_block[0]
    assert "pytest" in first_block[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    test_command = re.search(r"```bash\n.*?\n(.*?)\s+#", README, re.S).group(1).strip()
    assert test_command in ci
