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


def _options(command) -> list[str]:
    """Every long option of a click command, aliases included (--help aside)."""
    return sorted({opt for param in command.params for opt in param.opts + param.secondary_opts
                   if opt.startswith("--") and opt != "--help"})


def _names(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_every_option_of_the_ogi_group_is_documented():
    """`ogi --version` and the group's other options are named in README.md."""
    missing = [f"ogi {opt}" for opt in _options(get_command(app)) if f"`ogi {opt}" not in README]
    assert not missing, f"options missing from README.md: {missing}"


def test_ogi_version_option():
    from typer.testing import CliRunner

    from extract import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == __version__


def test_one_curated_folder_option_name_on_every_command():
    """`--curated` names the curated folder everywhere; the old names stay as aliases."""
    group = get_command(app)
    for name in ("parse", "run", "serve", "check", "correct", "report"):
        [param] = [p for p in group.commands[name].params if "--curated" in p.opts]
        assert str(param.default) == "data/curated", name
        assert set(param.opts) & {"--out", "--root"}, name  # the old name still works


def test_one_default_demo_port():
    group = get_command(app)
    [run_port] = [p.default for p in group.commands["run"].params if p.name == "demo_port"]
    [portal_port] = [p.default for p in group.commands["demo-portal"].params if p.name == "port"]
    assert run_port == portal_port


def test_data_readmes_name_what_the_pipeline_writes(tmp_path):
    """The archive's README names the manifest as the crawl writes it."""
    from extract.crawl import crawl
    from extract.crawl.testing import LocalSite, add_listing_site

    with LocalSite() as site:
        add_listing_site(site, years=range(2022, 2023))
        crawl([site.url("/zfxxgk/ndbg/")], raw_dir=tmp_path, rate=100)
    named = re.findall(r"`((?:manifest|objects)[^`]*)`", (REPO / "data" / "raw" / "README.md").read_text())
    assert named
    for pattern in named:
        glob = re.sub(r"<[^>]+>", "*", pattern)
        assert list(tmp_path.glob(glob)), f"data/raw/README.md names {pattern}, which the crawl does not write"


def _options(command) -> list[str]:
    """The long option names of a command (``--curated``, its old names too), not ``--help``."""
    return sorted(o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))


def _row(name: str) -> str:
    """The README's usage row (or rows) of `ogi name`."""
    return "\n".join(line for line in README.splitlines() if line.startswith(f"| `ogi {name}"))


def test_every_option_of_every_command_is_documented():
    """Each option of each command is named in the command's usage row or, for the old names the
    commands still take, in the README's text (as sqlite-utils checks its docs)."""
    missing = []
    for name, command in sorted(get_command(app).commands.items()):
        row = _row(name)
        for option in _options(command):
            if not re.search(rf"{re.escape(option)}\b", row) and f"`{option}`" not in README:
                missing.append(f"ogi {name} {option}")
    assert not missing, f"options missing from README.md: {missing}"


def test_the_option_check_sees_a_missing_option():
    command = get_command(app).commands["parse"]
    assert "--include" in _options(command) and "--include" in _row("parse")
    assert not re.search(r"--no-such-option\b", _row("parse"))
