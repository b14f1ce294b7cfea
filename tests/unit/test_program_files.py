"""A program file's bytes: accepted as YAML text, refused clearly when they are anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.program.files import (
    MAX_PROGRAM_BYTES,
    base_name,
    load_program_bytes,
    load_program_path,
)
from bot.program.loader import ProgramInvalid
from tests.schedule_helpers import sample, sample_text


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(ProgramInvalid) as info:
        load_program_bytes(data, filename)
    (error,) = info.value.errors
    return error.render()


def test_a_yaml_file_with_or_without_bom() -> None:
    data = sample_text().encode()
    for raw in (data, b"\xef\xbb\xbf" + data):
        loaded = load_program_bytes(raw, "Programme 2027.YML")
        assert loaded.program == sample()
        assert loaded.filename == "Programme 2027.YML"
        assert loaded.source == sample_text()


def test_bad_files_are_refused_with_the_reason() -> None:
    assert "larger than 5 MB" in refusal(b"#" * (MAX_PROGRAM_BYTES + 1), "big.yaml")
    assert "looks like an image" in refusal(b"\x89PNG\r\n\x1a\n\0\0", "renamed.yaml")
    assert "an Office document or a ZIP" in refusal(b"PK\x03\x04\0\0", "archive.yaml")
    assert "binary data" in refusal(b"forum:\0\0\0", "nul.yaml")
    assert "not UTF-8 text" in refusal("forum: Могилёв".encode("cp1251"), "cp1251.yaml")
    assert refusal(b"x", "notes.txt").endswith("send a .yaml or .xlsx file, not .txt")
    assert refusal(b"x", "README").endswith("send a .yaml or .xlsx file")


def test_errors_of_the_contents_name_the_file_and_line() -> None:
    with pytest.raises(ProgramInvalid) as info:
        load_program_bytes(b"forum:\n  title: X\n  titel: Y\n", "p.yaml")
    rendered = [e.render() for e in info.value.errors]
    assert any(r.startswith("p.yaml:3: forum.titel: unknown field titel") for r in rendered)
    assert len(rendered) > 1  # every problem at once: the missing required fields too


def test_uploaded_names_are_not_paths(tmp_path: Path) -> None:
    assert base_name("../../etc/passwd.yaml") == "passwd.yaml"
    assert base_name("C:\\Users\\me\\prog.yaml") == "prog.yaml"
    assert base_name("  ") == "program"
    path = tmp_path / "p.yaml"
    path.write_text(sample_text(), encoding="utf-8")
    assert load_program_path(path).filename == "p.yaml"
    with pytest.raises(ProgramInvalid) as info:
        load_program_path(tmp_path / "missing.yaml")
    assert info.value.errors[0].render().startswith(str(tmp_path / "missing.yaml"))
