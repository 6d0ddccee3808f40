"""The HTML report builder: one self-contained file, escaped text, inlined PNGs."""

from __future__ import annotations

from pathlib import Path

from tactile.reporting.html import Report

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_report_is_one_escaped_self_contained_file(tmp_path: Path) -> None:
    rep = Report("Title <b>", "lead & more")
    rep.section("Section", "s1")
    rep.text("x < y")
    rep.kpis([("right", "100 %")])
    rep.table(["a", "b"], [[1, "<i>"], [2, "ok"]], row_classes=["wrong", ""], numeric=(0,))
    rep.figure(PNG, "a caption")
    page = rep.write(tmp_path / "r.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "Title &lt;b&gt;" in page and "x &lt; y" in page and "&lt;i&gt;" in page
    assert 'class="wrong"' in page and "data:image/png;base64,iVBORw0KGgo" in page
    assert 'id="s1"' in page


def test_bullets_are_an_escaped_list_after_their_lead() -> None:
    rep = Report("t")
    rep.bullets(["a < b", "c & d"], lead="Rule:")
    page = rep.render()
    assert "<p>Rule:</p><ul><li>a &lt; b</li><li>c &amp; d</li></ul>" in page
