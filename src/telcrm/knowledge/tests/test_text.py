from telcrm.knowledge.text import highlight, query_terms, search_tokens, snippet, tokens


def test_chinese_bigrams_and_latin_words():
    assert tokens("宽带无法上网 WiFi路由器") == [
        "宽带",
        "带无",
        "无法",
        "法上",
        "上网",
        "wifi",
        "路由",
        "由器",
    ]
    assert tokens("卡") == ["卡"]
    assert search_tokens("宽带", "Router") == " 宽带 router "
    assert search_tokens("") == ""


def test_query_terms_drop_stop_words_and_mark_prefixes():
    terms = query_terms("如何 check 余额")
    assert [(t.text, t.prefix) for t in terms] == [("check", True), ("余额", False)]
    assert terms[0].like == " check"
    assert terms[1].like == " 余额 "
    assert query_terms("卡")[0].like == "卡"


def test_highlight_escapes_html_before_marking():
    out = highlight("<b>宽带</b> & router <script>", query_terms("宽带 rout"))
    assert out == "&lt;b&gt;<mark>宽带</mark>&lt;/b&gt; &amp; <mark>router</mark> &lt;script&gt;"


def test_highlight_merges_overlapping_bigrams_and_whole_words():
    assert highlight("宽带无法上网了", query_terms("宽带无法")) == "<mark>宽带无法</mark>上网了"
    # a Latin term marks whole words starting with it, case-insensitively, not word middles
    assert highlight("Roaming abroad; no roaming", query_terms("ROAM")) == (
        "<mark>Roaming</mark> abroad; no <mark>roaming</mark>"
    )
    assert highlight("byroam", query_terms("roam")) == "byroam"


def test_snippet_window_around_matches():
    text = "甲" * 300 + "携号转网" + "乙" * 300
    out = snippet(text, query_terms("携号转网"), width=60)
    assert "<mark>携号转网</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out.replace("<mark>", "").replace("</mark>", "")) == 62
