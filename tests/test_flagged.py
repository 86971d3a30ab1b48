"""Flagged words: found where they stand, in context, whatever the case of Latin letters."""

import pytest

from articles import flagged
from articles.models import FlaggedWord

pytestmark = pytest.mark.django_db


def test_each_match_is_found_in_its_context():
    FlaggedWord.objects.create(word="既使", kind="misspelling", note="即使")
    FlaggedWord.objects.create(word="WIFI", kind="misspelling", note="Wi-Fi")
    matches = flagged.find({"标题": "既使下雨也要去", "正文": "园区覆盖wifi。\n既使如此，工程仍按期完成。"})
    assert [(m.field, m.text, m.word.note) for m in matches] == [
        ("标题", "既使", "即使"),
        ("正文", "wifi", "Wi-Fi"),
        ("正文", "既使", "即使"),
    ]
    assert (matches[2].before, matches[2].after) == ("园区覆盖wifi。", "如此，工程仍按期完成。")


def test_a_longer_word_wins_where_two_overlap():
    FlaggedWord.objects.create(word="国企", kind="sensitive")
    FlaggedWord.objects.create(word="国企改革", kind="sensitive")
    assert [m.text for m in flagged.find({"正文": "深化国企改革，国企发展"})] == ["国企改革", "国企"]


def test_no_words_no_matches_and_plain_text_of_the_body():
    assert flagged.find({"正文": "任何内容"}) == []
    assert flagged.plain("<p>一&amp;二</p><p>三</p>") == "一&二\n三\n"
