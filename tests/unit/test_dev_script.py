"""`./dev`, the README's wrapper: help on request, a clear failure on a typo."""

from __future__ import annotations

import subprocess

from tests.harness import ROOT


def run_dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "dev"), *args], capture_output=True, text=True, timeout=30, cwd=ROOT
    )


def test_unknown_command_prints_help_and_fails() -> None:
    result = run_dev("tset")
    assert result.returncode != 0
    assert "unknown command 'tset'" in result.stderr
    # The help names every command, so the person sees what they meant.
    for command in ("demo", "test", "check", "bench", "run"):
        assert f"./dev {command}" in result.stderr
    assert result.stdout == ""


def test_help_succeeds() -> None:
    for args in ((), ("help",), ("--help",)):
        result = run_dev(*args)
        assert result.returncode == 0, args
        assert "./dev demo" in result.stdout
