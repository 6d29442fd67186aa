"""docs/plugin-protocol.md shows the transcripts and code tables the code produces now."""

from __future__ import annotations

from pathlib import Path

from tests.plugin_bridge.transcripts import blocks_in, generated

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin-protocol.md"


def test_generated_blocks_in_the_document_are_current() -> None:
    # given what running the core produces now
    expected = generated()

    # when reading the document's blocks
    actual = blocks_in(DOC)

    # then; regenerate with: .venv/bin/python -m tests.plugin_bridge.transcripts <doc>
    assert [name for name in expected if actual[name] != expected[name]] == []
