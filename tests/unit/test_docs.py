"""The README documents every setting and every CLI command a user can reach."""

from __future__ import annotations

from pathlib import Path

from lectr.cli import build_parser
from lectr.config import describe

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_readme() -> None:
    missing = [env for env, _default, _help in describe() if f"`{env}`" not in README]
    assert not missing, f"README lacks settings: {missing}"


def test_every_cli_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [name for name in commands if f"lectr {name}" not in README]
    assert not missing, f"README lacks commands: {missing}"
