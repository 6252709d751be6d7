"""The status line: its phrases, and how they break onto lines at narrow widths."""

from __future__ import annotations

from nntui.tui.history import RunHistory
from nntui.tui.widgets.status import packed, status_text

from .conftest import TINY_RINGS, recorded_events


def finished_run() -> RunHistory:
    history = RunHistory()
    history.consume(recorded_events(TINY_RINGS))
    return history


def test_the_status_line_breaks_between_phrases_never_inside_one():
    phrases = status_text(finished_run(), "cross-entropy")
    shown = [phrase.plain for phrase in phrases]
    assert "val acc 96.7%" in shown and "cross-entropy 0.1141" in shown
    for width in (40, 78, 118):
        lines = packed(phrases, width).plain.split("\n")
        assert all(len(line) <= width for line in lines)
        kept = [part for line in lines for part in line.split("  ")]
        assert kept == shown  # every phrase whole, on one line


def test_the_status_line_fits_one_line_when_it_can():
    phrases = status_text(RunHistory(), "MSE")
    assert packed(phrases, 78).plain == "■ ready  press s to start, ? for keys"
