"""Page text as segments, as the extension would send it."""

from server.pagetext import looks_like_html, segments_from_html, segments_from_text


def test_html_blocks_become_segments_without_scripts_or_forms():
    html = """<html><body><nav>Home | Shop</nav><article><h1>Kratom</h1>
    <p>Kratom is <b>safe</b> and <a href="/x">natural</a>.</p>
    <ul><li>Cures addiction</li><li>No side effects</li></ul>
    <script>var secret = 1;</script><textarea>private note</textarea>
    <table><tr><td>Vaccines cause autism</td></tr></table></article></body></html>"""
    texts = [s["text"] for s in segments_from_html(html)]
    assert texts == [
        "Home | Shop",  # the extension reads navigation text too
        "Kratom",
        "Kratom is safe and natural.",
        "Cures addiction",
        "No side effects",
        "Vaccines cause autism",
    ]
    assert looks_like_html(html)


def test_plain_text_paragraphs_become_segments():
    segs = segments_from_text("First para.\nsame para.\n\n\nSecond para.")
    assert segs == [
        {"id": "s1", "text": "First para.\nsame para."},
        {"id": "s2", "text": "Second para."},
    ]
    assert not looks_like_html("a < b and c > d")


def test_crlf_and_cr_paragraphs_split_like_lf_ones():
    """A browser's form sends CRLF line endings: four paragraphs stay four."""
    paragraphs = ["First one.", "Second one.", "Third one.", "Fourth one."]
    for newline in ("\r\n", "\r", "\n"):
        text = (newline * 2).join(paragraphs)
        assert [s["text"] for s in segments_from_text(text)] == paragraphs


def test_div_text_and_list_item_tails_are_read_as_the_extension_reads_them():
    """Issue 12, point 9: a <div>'s own text and a list item's text after a nested
    list were dropped, so `healthflags check` missed what the extension sends."""
    html = "<p>Intro</p><div>Kratom is not addictive.</div>"
    assert [s["text"] for s in segments_from_html(html)] == ["Intro", "Kratom is not addictive."]
    html = "<ul><li>Kratom is <ul><li>sub item</li></ul> safe for everyone.</li></ul>"
    texts = [s["text"] for s in segments_from_html(html)]
    assert texts == ["Kratom is safe for everyone.", "sub item"]
    assert [
        s["text"] for s in segments_from_html("<div>a<span>b</span><div hidden>c</div></div>")
    ] == ["ab"]


def test_long_blocks_are_cut_like_the_extension_and_deep_nesting_is_fine():
    words = " ".join(["word"] * 3000)  # 14,999 characters
    segs = segments_from_html(f"<p>{words}</p>")
    assert len(segs) == 4 and all(len(s["text"]) <= 4000 for s in segs)
    assert " ".join(s["text"] for s in segs) == words
    deep = "<div>" * 5000 + "deep text" + "</div>" * 5000
    assert [s["text"] for s in segments_from_html(deep)] == ["deep text"]
