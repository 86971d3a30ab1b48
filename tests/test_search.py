"""Search: normalisation, the query language, a fixed corpus with known hits, the page, bad input."""

import datetime
import random
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search, versions, workflow
from articles.models import Article, SearchEntry, Unit

from .factories import ArticleFactory, ArticleImageFactory, ArticleUnitFactory, ColumnFactory, SectionFactory
from .pagetext import page_text

NOW = timezone.now()
SEARCH = reverse("articles:search")


def days_ago(days):
    return NOW - datetime.timedelta(days=days)


def make(title, body="<p>正文。</p>", tags=(), units=(), index=True, **fields):
    fields.setdefault("publish_at", days_ago(1))
    article = ArticleFactory(title=title, body=body, summary="", **fields)
    article.tags.add(*tags)
    for order, name in enumerate(units):
        ArticleUnitFactory(article=article, unit=Unit.objects.get_or_create(name=name)[0], order=order)
    if index:
        workflow.article_saved(article)
    return article


def titles(response):
    """The titles of the results on a search page, in order."""
    return [article.title for article in response.context["page_obj"].object_list]


def found(query, **options):
    return {article.title for article in search.search(search.parse(query), **options)[0:1000]}


# --- normalisation and the query language (no database) ----------------------------------------


def test_normalize_folds_width_case_and_traditional_characters():
    assert search.normalize("ＡＢＣ５Ｇ，黨建 國企 發展") == "abc5g,党建 国企 发展"


def test_stored_text_marks_words_and_joins_texts_apart():
    assert search.stored("党建引领，5G基站 Smart-City！") == "党建引领,\x1f5g\x1f基站 \x1fsmart\x1f-\x1fcity\x1f!"
    assert search.joined(["党建", "", "临安"]) == "\x1e党建\x1e临安\x1e"
    assert search.normalize("  党建\n\n 临安\t ") == "党建 临安"


def test_plain_text_keeps_blocks_apart_and_inline_markup_together():
    assert search.plain_text("<p>党<strong>建</strong>引领</p><p>智能&amp;建造</p>") == "党建引领\n智能&建造"


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("党", ["党"]),
        ("党建 临安", ["党建", "临安"]),
        ("党建，临安", ["党建", "临安"]),
        ('"智能 建造"', ["智能 建造"]),
        ("“杭州医学院”", ["杭州医学院"]),
        ('"unterminated phrase', ["unterminated phrase"]),
        ("5G 基站 5g", ["5g", "基站"]),
        ("' OR 1=1 --", ["or", "1"]),
        ("a & | ! <-> :* (", ["a"]),
        ("！？。，、😀 %_\\", []),
        ("", []),
    ],
)
def test_parse(typed, terms):
    assert [term.text for term in search.parse(typed).terms] == terms


def test_terms_are_looked_up_by_characters_and_pairs_of_characters():
    query = search.parse('党 智能建造 5G基站 "smart city"')
    assert [search.keys(term.variants[0]) for term in query.terms] == [
        ["党"],
        ["智能", "能建", "建造"],
        ["\x1f5", "5g", "g\x1f", "\x1f基", "基站"],
        ["\x1fs", "sm", "ma", "ar", "rt", "t\x1f", "\x1f ", " \x1f", "\x1fc", "ci", "it", "ty", "y\x1f"],
    ]
    assert len(search.keys("一" * 100)) == 1 and len(search.keys(FILLER)) == search.MAX_KEYS


def test_highlight_marks_the_original_text_after_escaping_it():
    assert search.highlight("黨建引领", search.parse("党建")) == "<mark>黨建</mark>引领"
    assert search.highlight("５Ｇ基站", search.parse("5g")) == "<mark>５Ｇ</mark>基站"
    assert (
        search.highlight("<script>党建</script>", search.parse("党建"))
        == "&lt;script&gt;<mark>党建</mark>&lt;/script&gt;"
    )
    assert search.highlight("<b>&", search.parse("<b>")) == "&lt;<mark>b</mark>&gt;&amp;"
    assert search.highlight("党建党", search.parse("党建 建党")) == "<mark>党建党</mark>"
    assert search.highlight("无关", search.parse("党建")) == "无关"


# --- a fixed corpus with known hits --------------------------------------------------------------


@pytest.fixture
def corpus(db):
    made = {
        "reference": make(
            "党建引领聚合力 智能建造筑精品",
            subtitle="浙江一建杭州医学院临安二期项目举行授旗仪式",
            body="<p>近日，浙江一建杭州医学院临安二期建设工程现场旌旗招展。</p>",
            tags=["党建"],
            units=["杭州医学院", "临安区住建局"],
            publish_at=days_ago(10),
        ),
        "traditional": make(
            "國企黨建工作會議召開", body="<p>會議強調，要以高質量黨建引領發展。</p>", publish_at=days_ago(5)
        ),
        "width": make("５Ｇ基站建设提速", body="<p>ＡＩ与５Ｇ融合，2025年建成。</p>", publish_at=days_ago(3)),
        "latin": make("Ai 赋能制造", body="<p>The 5g network.</p>", publish_at=days_ago(4)),
        "scattered": make("建造与智能", body="<p>智能 建造 两个词分开写。</p>", publish_at=days_ago(2)),
        "linan": make("临安区举办运动会", body="<p>运动会在临安举行。</p>", tags=["体育"], publish_at=days_ago(1)),
        "draft": make("党建草稿 临安 5G", status=Article.Status.DRAFT, publish_at=None),
        "unpublished": make("党建撤稿 临安 5G", status=Article.Status.UNPUBLISHED),
        "scheduled": make("党建定时 临安 5G", publish_at=NOW + datetime.timedelta(hours=1)),
    }
    return made


EXPECTED = {
    "党": {"reference", "traditional"},
    "党建": {"reference", "traditional"},
    "黨建": {"reference", "traditional"},
    "国企": {"traditional"},
    "会": {"traditional", "linan"},
    "基站": {"width"},
    "智能建造": {"reference"},
    "杭州医学院": {"reference"},
    "党建引领发展": {"traditional"},
    "智能 建造": {"reference", "scattered"},
    '"智能 建造"': {"scattered"},
    "“智能建造”": {"reference"},
    "党建 临安": {"reference"},
    "临安": {"reference", "linan"},
    "5G": {"width", "latin"},
    "５ｇ": {"width", "latin"},
    "ai": {"width", "latin"},
    "AI": {"width", "latin"},
    "2025": {"width"},
    "g": set(),
    "不存在的词": set(),
}


@pytest.mark.parametrize(("query", "keys"), EXPECTED.items(), ids=list(EXPECTED))
def test_fixed_corpus_hits(corpus, query, keys):
    assert found(query) == {corpus[key].title for key in keys}


# --- Search II: long documents, exact phrases, numbers, traditional characters -------------------


FILLER = "".join(chr(code) for code in range(0x4E00, 0x4F00))  # 一 … 伀: no 末, 尾, 是


def filler(length, seed=16):
    """``length`` random characters that never hold 末尾."""
    rng = random.Random(seed)
    text = "".join(rng.choice(FILLER) for _ in range(length))
    assert "末尾" not in text
    return text


@pytest.fixture
def long_article(db):
    body = "".join(f"<p>{filler(1000, seed)}。</p>" for seed in range(100)) + "<p>这是末尾短语。</p>"
    return make("一篇很长的工作报告", body=body)


def test_a_phrase_at_the_end_of_a_100000_character_article_is_found(client, long_article):
    assert len(search.plain_text(long_article.body)) > 100_000
    assert found("末尾短语") == {long_article.title}
    assert found('"是末尾短语"') == {long_article.title}
    response = client.get(SEARCH, {"q": "末尾短语"})
    assert titles(response) == [long_article.title]
    assert "<mark>末尾短语</mark>" in response.content.decode()  # the snippet finds it too


@pytest.fixture
def phrases(db):
    texts = {
        "comma": "上、下两层",
        "other comma": "上，下两层",
        "together": "上下两层",
        "halfwidth": "上､下一层",  # U+FF64, the half-width form of 、
        "spaced": "共建一带 一路倡议",
        "joined": "共建一带一路倡议",
        "split": "一带，一路",
    }
    return {key: make(f"短语{key}", body=f"<p>{text}</p>") for key, text in texts.items()}


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ('"上、下"', {"comma", "halfwidth"}),
        ('"上，下"', {"other comma"}),
        ("上下", {"together"}),
        ('"一带 一路"', {"spaced"}),
        ("“一带一路”", {"joined"}),
        ("一带 一路", {"spaced", "joined", "split"}),
    ],
)
def test_a_quoted_phrase_matches_exactly_what_is_quoted(phrases, query, keys):
    assert found(query) == {phrases[key].title for key in keys}


@pytest.fixture
def numbers(db):
    texts = {
        "percent": "同比增长2.4%",
        "more percent": "同比增长12.4%",
        "apart": "第2季度增长4成",
        "year": "2025年计划",
        "other year": "12025年",
        "range": "2020-2025年规划",
        "gdp": "GDP增长",
        "gdpr": "GDPR合规",
        "5g": "5G基站",
        "5ghz": "5GHz频段",
        "covid": "COVID-19疫情",
        "decimal": "投资3.5亿元",
        "decimal apart": "3个项目5亿元",
    }
    return {key: make(f"数字{key}", body=f"<p>{text}</p>") for key, text in texts.items()}


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("2.4%", {"percent"}),
        ("2025年", {"year", "range"}),
        ("2020-2025", {"range"}),
        ("GDP", {"gdp"}),
        ("5G", {"5g"}),
        ("COVID-19", {"covid"}),
        ("covid", {"covid"}),
        ("3.5亿", {"decimal"}),
    ],
)
def test_numbers_and_latin_words_are_kept_as_terms(numbers, query, keys):
    assert found(query) == {numbers[key].title for key in keys}


def test_a_single_traditional_character_is_searched_converted_alone_and_in_context(db):
    nezha = make("哪吒鬧海", body="<p>动画电影。</p>")
    chizha = make("叱吒風雲", body="<p>人物。</p>")
    assert found("吒") == {nezha.title, chizha.title}
    assert found("咤") == {chizha.title}
    assert found("哪吒") == {nezha.title}
    assert found("乾") == set()  # 乾 alone is 干: no article holds either


# --- Search II: ranking ---------------------------------------------------------------------------


def test_ranking_word_before_split_title_before_body_newer_before_older(client, db):
    """For 党建: title hits first; within title or body, 党建 as a word before 党 ending one word and 建设
    starting the next (从严治党建设); newest first among equals."""
    make("党建工作会议召开", publish_at=days_ago(40))
    make("坚持从严治党建设", publish_at=days_ago(2))
    make("基层动态", body="<p>加强党建工作。</p>", publish_at=days_ago(5))
    make("新闻一则", body="<p>坚持全面从严治党建设，推动发展。</p>", publish_at=days_ago(1))
    make("会议报道", body="<p>以高质量党建引领发展。</p>", publish_at=days_ago(20))
    make("旧闻", body="<p>党建设施完善。</p>", publish_at=days_ago(30))
    expected = ["党建工作会议召开", "坚持从严治党建设", "基层动态", "会议报道", "旧闻", "新闻一则"]
    assert titles(client.get(SEARCH, {"q": "党建"})) == expected
    assert titles(client.get(SEARCH, {"q": "党建", "sort": "date"}))[0] == "新闻一则"


def test_scheduled_article_is_found_when_its_time_comes(corpus, monkeypatch):
    """Nothing is saved when a scheduled article's time comes: the clock moves (here, by a patch)."""
    assert corpus["scheduled"].title not in found("党建")
    later = corpus["scheduled"].publish_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert corpus["scheduled"].title in found("党建")


# --- order, filters, pages ---------------------------------------------------------------------


@pytest.fixture
def ranked(db):
    """Three articles that name 临安 in the body, the units and the title; the body one is newest."""
    return [
        make("标题提到临安", publish_at=days_ago(30)),
        make("单位在那里", units=["临安区住建局"], publish_at=days_ago(20)),
        make("正文提到", body="<p>临安的新闻。</p>", publish_at=days_ago(10)),
        make("标题也提到临安", publish_at=days_ago(40)),
    ]


def test_relevance_title_before_tags_and_units_before_body_then_newest(client, ranked):
    response = client.get(SEARCH, {"q": "临安"})
    assert titles(response) == ["标题提到临安", "标题也提到临安", "单位在那里", "正文提到"]
    response = client.get(SEARCH, {"q": "临安", "sort": "date"})
    assert titles(response) == ["正文提到", "单位在那里", "标题提到临安", "标题也提到临安"]


def test_relevance_pages_agree_with_one_long_ranking(ranked):
    """Read in short slices, the results are the slices of one ranking."""
    more = [make(f"临安{i}", publish_at=days_ago(i)) for i in range(3)] + [make("正文", body="<p>临安</p>")]
    results = search.search(search.parse("临安"))
    whole = results[0:20]
    assert len(whole) == len(ranked) + len(more)
    assert [article for start in range(0, 8, 3) for article in results[start : start + 3]] == whole


@pytest.mark.parametrize(("limit", "window"), [(1000, 200), (40, 200), (6, 200), (40, 5)])
def test_every_page_is_a_slice_of_one_ranking(db, monkeypatch, limit, window):
    """Pages of any size, under any limit: the slices of one ranking, by relevance or by date."""
    monkeypatch.setattr(search.Results, "WINDOW", window)
    rng = random.Random(4)
    expected = []
    for i in range(45):
        where = rng.choice(["title", "unit", "body", "body", "none"])
        article = make(
            f"{'临安' if where == 'title' else '新闻'}{i}",
            body="<p>临安的消息。</p>" if where != "none" else "<p>别处的消息。</p>",
            units=["临安区住建局"] if where == "unit" else (),
            publish_at=days_ago(rng.randint(1, 400)),
        )
        if where != "none":
            expected.append(({"title": 3, "unit": 2, "body": 1}[where], article.publish_at, article.pk, article.title))
    ranking = [title for *_key, title in sorted(expected, reverse=True)][:limit]
    by_date = [title for _rank, _at, _pk, title in sorted(expected, key=lambda e: (e[1], e[2]), reverse=True)][:limit]
    for order, whole in [("relevance", ranking), ("date", by_date)]:
        results = search.Results(search.parse("临安"), order=order, limit=limit)
        assert results.count() == len(whole) and results.more == (len(expected) > limit)
        for start in range(0, len(whole), 7):
            page = search.Results(search.parse("临安"), order=order, limit=limit)[start : start + 7]
            assert [article.title for article in page] == whole[start : start + 7], (order, start)


def test_words_rank_first_within_the_ranking_window(db, monkeypatch):
    """党建 as a word comes before 从严治党建设 among the first WINDOW matches of a field; after the
    window, newest first (the documented limit of the ranking)."""
    monkeypatch.setattr(search.Results, "WINDOW", 3)
    split = [make(f"新闻{i}", body="<p>从严治党建设。</p>", publish_at=days_ago(i + 1)) for i in range(4)]
    word = make("旧闻", body="<p>加强党建工作。</p>", publish_at=days_ago(10))
    older = make("更旧", body="<p>加强党建工作。</p>", publish_at=days_ago(20))
    assert list(search.search(search.parse("党建"))[0:6]) == [*split, word, older]
    monkeypatch.setattr(search.Results, "WINDOW", 5)
    assert list(search.search(search.parse("党建"))[0:6]) == [word, *split, older]


def test_filters_by_section_column_unit_and_dates(client, db):
    section, other_section = SectionFactory(name="要闻"), SectionFactory(name="协会")
    column = ColumnFactory(name="党建好故事")
    in_all = make("党建甲", section=section, column=column, units=["杭州医学院"], publish_at=days_ago(5))
    make("党建乙", section=other_section, column=column, units=["杭州医学院"], publish_at=days_ago(5))
    make("党建丙", section=section, units=["浙江一建"], publish_at=days_ago(5))
    make("党建丁", section=section, column=column, units=["杭州医学院"], publish_at=days_ago(50))
    start, end = days_ago(6).date().isoformat(), days_ago(4).date().isoformat()

    def hits(**filters):
        return sorted(titles(client.get(SEARCH, {"q": "党建", **filters})))

    assert hits() == ["党建丁", "党建丙", "党建乙", "党建甲"]
    assert hits(section=section.pk) == ["党建丁", "党建丙", "党建甲"]
    assert hits(column=column.pk) == ["党建丁", "党建乙", "党建甲"]
    assert hits(unit="医学院") == ["党建丁", "党建乙", "党建甲"]
    assert hits(unit="醫學院") == ["党建丁", "党建乙", "党建甲"]  # typed in traditional characters
    assert hits(start=start, end=end) == ["党建丙", "党建乙", "党建甲"]
    assert hits(section=section.pk, column=column.pk, unit="杭州医学院", start=start, end=end) == [in_all.title]


def test_pages_keep_the_query_and_count_the_results(client, db):
    for i in range(25):
        make(f"分页测试{i:02}", publish_at=days_ago(i + 1))
    response = client.get(SEARCH, {"q": "分页", "sort": "date"})
    text = page_text(response)
    assert "找到 25 篇文章" in text
    assert titles(response) == [f"分页测试{i:02}" for i in range(20)]
    next_link = re.search(r'href="([^"]+)" rel="next"', response.content.decode()).group(1).replace("&amp;", "&")
    assert "q=%E5%88%86%E9%A1%B5" in next_link and "sort=date" in next_link
    assert titles(client.get(SEARCH + next_link)) == [f"分页测试{i:02}" for i in range(20, 25)]


def test_each_query_has_its_own_count(client, corpus):
    assert "找到 2 篇文章" in page_text(client.get(SEARCH, {"q": "临安"}))
    assert "找到 1 篇文章" in page_text(client.get(SEARCH, {"q": "杭州医学院"}))


def test_results_beyond_the_limit_are_counted_exactly_up_to_it_then_estimated(client, db, monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the same address twice, the content changed in between
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    section = SectionFactory()
    for i in range(3):
        make(f"上限{i}", section=section)
    assert "找到 3 篇文章" in page_text(client.get(SEARCH, {"q": "上限"}))
    for i in range(3, 8):
        make(f"上限{i}", publish_at=days_ago(30 + i), section=section)
    for i in range(5):
        make(f"别的{i}", publish_at=days_ago(2 + i))
    response = client.get(SEARCH, {"q": "上限", "sort": "relevance"})  # not the address cached above
    assert len(titles(response)) == 3
    # Every match is counted by the statement that ranks them (beyond the limit it says 约: the
    # entries counted may include some of articles in the trash, see the next test).
    assert "找到约 8 篇文章（显示前 3 篇）" in page_text(response)
    # Narrowed by a filter, the articles themselves are ranked and counted.
    response = client.get(SEARCH, {"q": "上限", "section": section.pk, "sort": "date"})
    assert "找到约 8 篇文章（显示前 3 篇）" in page_text(response)


def test_the_count_beyond_the_limit_costs_no_statement_of_its_own(client, db, monkeypatch, settings, corpus):
    """Counting the matches beyond the limit is part of the statement that ranks them: a page of a
    query with more matches than the limit makes no more statements than one with fewer."""
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(search, "MAX_RESULTS", 1)
    client.get(SEARCH, {"q": "临安"})  # what is kept (the site's settings, the content versions) is kept
    with CaptureQueriesContext(connection) as beyond:
        assert "找到约" in page_text(client.get(SEARCH, {"q": "临安"}))
    with CaptureQueriesContext(connection) as within:
        assert "找到 1 篇文章" in page_text(client.get(SEARCH, {"q": "杭州医学院"}))
    assert len(beyond) == len(within)


def test_trashed_matches_beyond_the_limit_are_left_out_of_the_estimate(client, db, monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    articles = [make(f"估计{i}", publish_at=days_ago(1 + i)) for i in range(8)]
    for article in articles[:2]:
        workflow.trash(article)
    # 8 entries match, 6 of their 8 articles are published: about 6.
    assert "找到约 6 篇文章（显示前 3 篇）" in page_text(client.get(SEARCH, {"q": "估计"}))


def test_the_page_shows_highlighted_title_subtitle_and_excerpt(client, corpus):
    response = client.get(SEARCH, {"q": "黨建 杭州"})
    body = response.content.decode()
    assert "<mark>党建</mark>引领聚合力" in body
    assert "浙江一建<mark>杭州</mark>医学院" in body
    assert "浙江一建<mark>杭州</mark>医学院临安二期建设工程" in body
    assert "找到 1 篇文章" in page_text(response)


def test_a_result_is_shown_as_lists_show_an_article_with_its_matches_marked(client, db):
    """Search shows each result with the lists' item (includes/article_item.html): the same thumbnail,
    title, date and section as the section page, with the matches marked and an excerpt for a summary."""
    article = make("党建引领聚合力", body="<p>近日，党建工作现场会召开。</p>", column=ColumnFactory(name="党建好故事"))
    ArticleImageFactory(article=article)
    versions.site_changed()

    def item(response):
        found = re.search(r'<li class="article-item">.*?</li>', response.content.decode(), re.DOTALL).group()
        return re.sub(r">\s+<", "><", found)

    listed, found = item(client.get(article.section.get_absolute_url())), item(client.get(SEARCH, {"q": "党建"}))
    assert "【党建好故事】<mark>党建</mark>引领聚合力" in found and 'class="thumb"' in found
    assert '<p class="excerpt">近日，<mark>党建</mark>工作现场会召开。</p>' in found
    without_marks = re.sub(r'<p class="excerpt">.*?</p>', "", found).replace("<mark>", "").replace("</mark>", "")
    assert without_marks == listed


def test_the_excerpt_starts_near_the_first_match():
    article = Article(body="<p>" + "无关的话。" * 60 + "这里提到智能建造。" + "后文。" * 60 + "</p>")
    text = search.excerpt(article, search.parse("智能建造"))
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>智能建造</mark>" in text and len(text) < 160


def test_no_script_gets_through_the_query_or_the_content(client, db):
    make("<img src=x onerror=alert(1)>党建", body="<p>党建&lt;script&gt;alert(2)&lt;/script&gt;</p>")
    response = client.get(SEARCH, {"q": "<script>alert(2)</script>党建"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;img src=x onerror=<mark>alert</mark>(1)&gt;<mark>党建</mark>" in body
    assert "<mark>党建</mark>&lt;<mark>script</mark>&gt;" in body
    for attack in ("<img src=x", "<script>alert"):
        assert attack not in body


def test_the_excerpt_marks_every_term_in_simplified_and_traditional_characters(client, db):
    body = "<p>國企黨建工作會議召開。" + "无关的内容。" * 400 + "最后谈到智能建造。</p>"
    make("会议", body=body)
    for query in ("党建 智能建造", "黨建 智能建造"):
        excerpt = re.search(r'<p class="excerpt">(.*?)</p>', client.get(SEARCH, {"q": query}).content.decode()).group(1)
        assert "<mark>黨建</mark>" in excerpt and "<mark>智能建造</mark>" in excerpt
        assert len(re.sub("<[^>]+>", "", excerpt)) <= 162


@pytest.fixture
def faceted(db):
    news, association = SectionFactory(name="要闻"), SectionFactory(name="协会")
    stories = ColumnFactory(name="党建好故事")
    make("党建一", section=news, column=stories, units=["杭州医学院"], publish_at=days_ago(400))
    make("党建二", section=news, units=["杭州医学院", "浙江一建"], publish_at=days_ago(10))
    make("党建三", section=association, column=stories, publish_at=days_ago(5))
    make("别的", section=association, column=stories, units=["浙江一建"], publish_at=days_ago(5))
    return {"news": news, "stories": stories}


def test_facets_count_the_matches_by_section_column_unit_and_year(client, faceted):
    response = client.get(SEARCH, {"q": "党建"})
    facets = re.search(r'<nav class="facets".*?</nav>', response.content.decode(), re.DOTALL).group()
    text = " ".join(re.sub(r"<[^>]+>", " ", facets).split())
    year, last_year = days_ago(5).year, days_ago(400).year
    assert "频道 要闻 (2) 协会 (1)" in text
    assert "栏目 党建好故事 (2)" in text
    assert "参与单位 杭州医学院 (2) 浙江一建 (1)" in text
    assert f"年份 {year} (2) {last_year} (1)" in text or year == last_year
    link = re.search(r'href="([^"]+)">要闻<', facets).group(1).replace("&amp;", "&")
    assert sorted(titles(client.get(SEARCH + link))) == ["党建一", "党建二"]


def test_the_filters_offer_every_section_and_column_as_they_are_named_now(client, faceted, django_user_model):
    def options(name):
        form = client.get(SEARCH, {"q": "党建"}).content.decode()
        select = re.search(rf'<select name="{name}".*?</select>', form, re.DOTALL).group()
        return re.findall(r"<option[^>]*>([^<]*)</option>", select)

    assert options("section") == ["全部频道", "协会", "要闻"] and options("column") == ["全部栏目", "党建好故事"]
    editor = django_user_model.objects.create_superuser("chief", "chief@example.com", "pw-for-tests-only")
    client.force_login(editor)
    stories = faceted["stories"]
    response = client.post(reverse("admin:articles_column_change", args=[stories.pk]), {"name": "党建故事"})
    assert response.status_code == 302
    client.logout()
    assert options("column") == ["全部栏目", "党建故事"]
    response = client.get(SEARCH, {"q": "党建", "column": stories.pk})
    assert sorted(titles(response)) == ["党建一", "党建三"]


def scope_filter(client, page):
    """The filter (name, value) that the search box of a section, column or unit page sends."""
    form = re.search(r'<form class="scope-search".*?</form>', client.get(page).content.decode(), re.DOTALL).group()
    return re.search(r'type="hidden" name="(\w+)" value="([^"]*)"', form).groups()


def test_search_within_a_unit_or_a_column_from_its_page(client, faceted):
    unit = Unit.objects.get(name="浙江一建")
    for page, expected in [
        (unit.get_absolute_url(), ["党建二"]),
        (faceted["stories"].get_absolute_url(), ["党建一", "党建三"]),
    ]:
        name, value = scope_filter(client, page)
        assert sorted(titles(client.get(SEARCH, {"q": "党建", name: value}))) == expected


def test_did_you_mean_for_a_mistyped_or_traditional_query_with_few_hits(client, db):
    make("临安区举办运动会")
    make("乾隆年间的故事")
    assert "您是不是要找： 临安" in page_text(client.get(SEARCH, {"q": "临按"}))
    assert "您是不是要找： 举办" in page_text(client.get(SEARCH, {"q": "舉辦"}))
    assert "您是不是要找" not in page_text(client.get(SEARCH, {"q": "临安"}))


def test_the_search_page_keeps_the_query_has_one_labelled_search_landmark_and_is_not_indexed(client, corpus):
    response = client.get(SEARCH, {"q": "党建 临安"})
    body = response.content.decode()
    assert body.count('value="党建 临安"') == 2  # the header's box and the page's
    assert '<meta name="robots" content="noindex">' in body
    for url in [SEARCH, reverse("articles:home"), corpus["reference"].get_absolute_url()]:
        body = client.get(url, {"q": "党建"} if url == SEARCH else {}).content.decode()
        assert body.count('role="search"') == 1 and 'role="search" aria-label="站内搜索"' in body


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_string", "status"),
    [
        ("", 200),
        ("q=", 200),
        ("q=" + "党" * 10_000, 400),
        ("q=%EF%BC%81%EF%BC%9F%E3%80%82", 200),  # ！？。
        ("q=%27+OR+1%3D1+--", 200),
        ("q=%25_%5C%27%22", 200),
        ("q=.*%5B(%3F%5C", 200),
        ("q=a+%26+%7C+!+%3C-%3E+%3A*+(", 200),
        ("q=%F0%9F%98%80%F0%9F%8E%89", 200),  # emoji
        ("q=%E4%B8", 200),  # a cut UTF-8 sequence
        ("q=%ZZ%", 200),
        ("q=%00", 400),
        ("q=党&start=2025-13-01", 400),
        ("q=党&start=0001-01-01", 400),
        ("q=党&end=9999-12-31", 400),
        ("q=党&start=2025-02-01&end=2025-01-01", 400),
        ("q=党&section=abc", 400),
        ("q=党&section=999999", 400),
        ("q=党&sort=evil", 400),
        ("q=党&page=abc", 404),
        ("q=党&page=99", 404),
        ("q=党&q=建&unit=" + "单" * 500, 400),
    ],
)
def test_bad_input_is_an_ordinary_page_a_400_or_a_404(client, corpus, query_string, status):
    response = client.get(f"{SEARCH}?{query_string}")
    assert response.status_code == status
    if status == 200:
        assert "搜索文章" in page_text(response)


def test_a_query_of_only_punctuation_says_what_to_type(client, db):
    assert "请输入要搜索的字词" in page_text(client.get(SEARCH, {"q": "！？。"}))


def test_a_too_long_query_says_so(client, db):
    response = client.get(SEARCH, {"q": "党" * 10_000})
    assert response.status_code == 400
    assert "最多 100 个字" in page_text(response)


# --- ranking from the index entries -------------------------------------------------------------


def ranking(query, order="relevance", **options):
    """(id, field) of the matches, in order, as the fast path gives them and as reading every article does."""
    fast = search.Results(search.parse(query), order=order, **options)._matches
    every = search.Results(search.parse(query), order=order, narrowed=True, **options)._matches
    return [(m.pk, m.field) for m in fast], [(m.pk, m.field) for m in every]


@pytest.mark.parametrize("order", ["relevance", "date"])
@pytest.mark.parametrize("query", ["党", "党建", "临安", "5g", "建设 临安", "智能建造"])
def test_the_entries_rank_matches_as_their_articles_would(corpus, query, order):
    fast, every = ranking(query, order)
    assert fast == every and fast


def test_unpublished_matches_among_the_newest_take_no_place_and_no_count(client, db, monkeypatch, settings):
    """The entries ranked first may be of scheduled, trashed or draft articles: when too few of those
    looked up are published, every match is read, so the page and its count are what they would be."""
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    monkeypatch.setattr(search.Results, "SPARE", 1)
    for i in range(4):
        make(f"排名{i}", publish_at=days_ago(10 + i))
    make("排名定时", publish_at=NOW + datetime.timedelta(hours=2))
    trashed = make("排名回收", publish_at=days_ago(1))
    workflow.trash(trashed)
    fast, every = ranking("排名")
    assert fast == every and len(fast) == 4  # the limit and one more: the count goes on beyond it
    response = client.get(SEARCH, {"q": "排名"})
    assert titles(response) == ["排名0", "排名1", "排名2"]
    assert "找到约" in page_text(response)


def test_scheduled_articles_do_not_fill_the_entries_ranked_first(db, monkeypatch):
    """Scheduled articles are the newest entries of all; those are left out of the ranking from the
    entries, so a newsroom with many of them still ranks from the index alone."""
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    monkeypatch.setattr(search.Results, "SPARE", 1)
    for i in range(5):
        make(f"预约{i}", publish_at=NOW + datetime.timedelta(hours=i + 1))
    for i in range(4):
        make(f"预约已发{i}", publish_at=days_ago(i + 1))
    with CaptureQueriesContext(connection) as queries:
        matches = search.Results(search.parse("预约"))._matches
    assert [match.pk for match in matches] == [
        a.pk for a in Article.objects.filter(title__startswith="预约已发").order_by("-publish_at")
    ]
    assert sum("articles_searchentry" in query["sql"] for query in queries.captured_queries) == 1


def test_an_entry_without_its_articles_time_is_ranked_by_the_article(db):
    """Entries written before they held the publish time (by the old code, during a deploy) have
    none: the articles are then ranked by their own times, as reading every article does."""
    older, newer = make("无时甲", publish_at=days_ago(5)), make("无时乙", publish_at=days_ago(1))
    SearchEntry.objects.filter(article=newer).update(publish_at=None)
    fast, every = ranking("无时")
    assert fast == every == [(newer.pk, 3), (older.pk, 3)]


def test_an_entry_keeps_its_articles_publish_time(db):
    article = make("定时重排", publish_at=days_ago(3))
    assert SearchEntry.objects.get(article=article).publish_at == article.publish_at
    article.publish_at = days_ago(1)
    article.save()
    workflow.article_saved(article)
    assert SearchEntry.objects.get(article=article).publish_at == article.publish_at


# --- the page and the search box ---------------------------------------------------------------


def test_every_page_has_a_search_box(client, corpus):
    for url in [reverse("articles:home"), corpus["reference"].get_absolute_url(), SEARCH]:
        body = client.get(url).content.decode()
        assert f'action="{SEARCH}"' in body and 'name="q"' in body


def test_the_search_page_queries_do_not_grow_with_the_results(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the view's queries, not the page cache's
    make("党建一", units=["浙江一建"])
    client.get(SEARCH, {"q": "党建"})  # site settings and the like are cached after the first page
    # On PostgreSQL each index lookup runs in a transaction of its own (a savepoint here) with SET LOCAL.
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, {"q": "党建"})
    queries = len(one.captured_queries)
    # The facets count sections, columns and years from the rows the search read; only units are read again.
    assert queries <= (10 if connection.vendor == "sqlite" else 16)
    for i in range(10):
        make(f"党建{i}", units=["杭州医学院"])
    client.get(SEARCH, {"q": "党建"})  # the content changed: warm the caches again
    with CaptureQueriesContext(connection) as two:
        response = client.get(SEARCH, {"q": "党建"})
    assert len(two.captured_queries) <= queries
    assert len(titles(response)) == 11


# --- the index follows every change --------------------------------------------------------------


def test_the_index_follows_publish_change_unpublish_and_delete(db):
    article = make("草稿标题", status=Article.Status.DRAFT, publish_at=None)
    assert not found("草稿")
    workflow.publish(article)
    assert found("草稿") == {"草稿标题"}
    article.title = "新标题"
    article.save()
    workflow.article_saved(article)
    assert not found("草稿") and found("新标题") == {"新标题"}
    workflow.unpublish(article)
    assert not found("新标题")
    workflow.publish(article)
    assert found("新标题") == {"新标题"}
    article.delete()  # as purge_trash does: the database cascade takes its entry
    assert not found("新标题") and not SearchEntry.objects.exists()


def test_the_admin_keeps_the_index_current(staff_client, db):
    article = make("杭州医学院新闻", units=["杭州医学院"])
    unit = article.units.get()
    change_unit = reverse("admin:articles_unit_change", args=[unit.pk])
    response = staff_client.post(change_unit, {"name": "浙江医学院", "kind": "other"})
    assert response.status_code == 302
    assert found("浙江医学院") == {article.title}
    staff_client.post(reverse("admin:articles_unit_delete", args=[unit.pk]), {"post": "yes"})
    assert not found("浙江医学院")
    staff_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert not found("新闻")  # in the trash: hidden, its index entry kept for a restore
    workflow.restore(Article.objects.get())
    assert found("新闻") == {article.title}
    Article.objects.update(deleted_at=timezone.now() - datetime.timedelta(days=400))
    workflow.purge_trash()
    assert not SearchEntry.objects.exists()


def test_imported_articles_are_found(seed_article):
    assert found("智能建造 江风") == {seed_article.title}


def test_rebuild_command_indexes_everything_then_analyses(db):
    articles = [make(f"重建{i}", index=False) for i in range(3)]
    assert not found("重建")
    out = StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("rebuild_search_index", "--batch=2", stdout=out)
    assert "3 articles indexed" in out.getvalue()
    assert found("重建") == {article.title for article in articles}
    statements = [query["sql"] for query in queries.captured_queries]
    analysed = [index for index, sql in enumerate(statements) if sql.startswith("ANALYZE")]
    inserted = [index for index, sql in enumerate(statements) if "INSERT INTO" in sql and "searchentry" in sql]
    assert analysed and inserted and analysed[-1] > inserted[-1]


# --- PostgreSQL: the GIN indexes are used ----------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
@pytest.mark.parametrize("query", ["党", "党建", "智能建造", "党建 临安"])
def test_queries_of_one_two_and_four_characters_use_the_gin_index(corpus, query):
    """The GIN index answers every kind of query (which plan wins on 100,000 articles: bench/search.py)."""
    parsed = search.parse(query)
    with search.through_gin_indexes():
        document = SearchEntry.objects.order_by().filter(document__matches=parsed).explain()
    assert "Bitmap Index Scan on articles_searchentry_document_keys" in document


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_the_documents_have_the_only_gin_index(db):
    """Titles and labels are checked row by row on the rows the documents' index finds: no index of their own
    (migration 0025 dropped two that no query read), also after a rebuild."""
    call_command("rebuild_search_index", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_searchentry' AND indexdef LIKE '%gin%'"
        )
        assert [name for (name,) in cursor.fetchall()] == ["articles_searchentry_document_keys"]


# --- in a browser ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_searches_from_the_header_in_traditional_characters(live_server, page, screenshot):
    make("党建引领聚合力 智能建造筑精品", subtitle="浙江一建杭州医学院临安二期项目举行授旗仪式")
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").first.fill("黨建")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".search-results mark").first.inner_text() == "党建"
    assert "找到 1 篇文章" in page.get_by_role("status").inner_text()
    screenshot(page, "search-results")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_filters_fold_away_on_phones_and_show_on_wide_screens(live_server, page, screenshot):
    make("党建引领聚合力")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + SEARCH + "?q=%E5%85%9A%E5%BB%BA")
    section = page.locator("select[name=section]")
    assert not section.is_visible()
    page.get_by_text("筛选与排序").click()
    assert section.is_visible()
    screenshot(page, "search-filters-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + SEARCH + "?q=%E5%85%9A%E5%BB%BA")
    assert section.is_visible()
    assert not page.get_by_text("筛选与排序").is_visible()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="shared catalogs are PostgreSQL's")
def test_a_rebuild_inside_a_transaction_holds_back_no_other_sessions_analyse(db):
    """A restore rebuilds the index inside its transaction. Its ANALYZE names the project's tables only:
    a bare ANALYZE also locked the cluster's shared catalogs until the transaction ended, and another
    session's ANALYZE (in any database: a restore in another process) waited for it forever."""
    import psycopg

    make("重建中的文章", index=False)
    search.rebuild()  # in the test's transaction, still open
    assert found("重建中的文章")
    other = psycopg.connect(
        host=connection.settings_dict["HOST"] or None,
        port=connection.settings_dict["PORT"] or None,
        user=connection.settings_dict["USER"] or None,
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    )
    with other:
        other.execute("SET lock_timeout = '3s'")
        other.execute("ANALYZE pg_catalog.pg_authid")  # lock timeout before the fix


# --- faults a reader's test found (2026-12-05) -------------------------------------------------


def test_the_unit_filter_is_the_unit_so_named_not_every_unit_whose_name_holds_it(client, db):
    """A unit page's search box and the unit facet send the unit's name: 北京七 is not 北京七医学院."""
    make("党建北京七", units=["北京七"])
    make("党建医学院", units=["北京七医学院"])
    make("党建集团", units=["QA Tech集团"])
    unit = Unit.objects.get(name="北京七")
    name, value = scope_filter(client, unit.get_absolute_url())
    assert titles(client.get(SEARCH, {"q": "党建", name: value})) == ["党建北京七"]
    # The same on every database, whatever the capitals and the width of its letters.
    for typed in ("qa tech集团", "ＱＡ Ｔｅｃｈ集团", "QA Tech集团"):
        assert titles(client.get(SEARCH, {"q": "党建", "unit": typed})) == ["党建集团"], typed
    # Part of a name still finds the units whose name holds it.
    assert sorted(titles(client.get(SEARCH, {"q": "党建", "unit": "北京"}))) == ["党建北京七", "党建医学院"]


def test_an_unknown_unit_is_a_bad_filter(client, db):
    make("党建", units=["杭州医学院"])
    response = client.get(SEARCH, {"q": "党建", "unit": "不存在单位"})
    assert response.status_code == 400
    assert "没有名称含“不存在单位”的参与单位" in page_text(response)


def test_a_year_facet_keeps_the_readers_date_range(client, db):
    make("党建三月", publish_at=timezone.make_aware(datetime.datetime(2025, 3, 10, 12)))
    make("党建五月", publish_at=timezone.make_aware(datetime.datetime(2025, 5, 10, 12)))
    make("党建去年", publish_at=timezone.make_aware(datetime.datetime(2024, 12, 20, 12)))
    response = client.get(SEARCH, {"q": "党建", "start": "2024-12-15", "end": "2025-03-31"})
    facets = re.search(r'<nav class="facets".*?</nav>', response.content.decode(), re.S).group()
    for year, expected in (("2025", ["党建三月"]), ("2024", ["党建去年"])):
        link = re.search(rf'href="([^"]+)">{year}<', facets).group(1).replace("&amp;", "&")
        assert titles(client.get(SEARCH + link)) == expected, year


def test_dates_typed_in_full_width_digits_are_the_dates_they_are(client, db):
    make("党建", publish_at=timezone.make_aware(datetime.datetime(2025, 1, 1, 12)))
    for start in ("２０２５-０１-０１", "2025-０１-０１", "２０２５－０１－０１"):
        response = client.get(SEARCH, {"q": "党建", "start": start, "end": "2025-01-01"})
        assert response.status_code == 200 and titles(response) == ["党建"], start


def test_no_suggestion_that_finds_fewer_than_the_query(client, db):
    """吒 alone is 咤 to OpenCC, but search already looks for both: 咤 would find less."""
    make("哪吒闹海")
    make("叱咤风云")
    response = client.get(SEARCH, {"q": "吒"})
    assert sorted(titles(response)) == ["叱咤风云", "哪吒闹海"]
    assert "您是不是要找" not in page_text(response)
    assert "您是不是要找" not in page_text(client.get(SEARCH, {"q": "吒", "section": SectionFactory().pk}))


def test_a_phrase_left_unclosed_that_finds_nothing_suggests_its_words(client, db):
    make("党建引领 临安发展")
    response = client.get(SEARCH, {"q": '"党建 临安'})
    assert titles(response) == []
    assert "您是不是要找： 党建 临安" in page_text(response)


def test_an_estimate_never_reads_as_an_exact_count(client, db, monkeypatch, settings):
    """Beyond the limit the count is rounded to two digits: one that rounds to the limit is 'more than'."""
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(search, "MAX_RESULTS", 100)
    for i in range(104):
        make(f"估算{i}", index=False)
    search.index_articles(Article.objects.values_list("pk", flat=True))
    text = page_text(client.get(SEARCH, {"q": "估算"}))
    assert "找到超过 100 篇文章（显示前 100 篇）" in text and "约 101" not in text


def test_the_estimate_leaves_out_the_trashed_articles_among_the_newest(client, db, monkeypatch, settings):
    """Articles trashed lately are among the newest entries read first: they are left out of the
    count, not taken as the share of every match that is not published."""
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    monkeypatch.setattr(search.Results, "SPARE", 2)
    articles = [make(f"回收估计{i}", publish_at=days_ago(1 + i)) for i in range(20)]
    for article in articles[:2]:
        workflow.trash(article)
    make("回收估计草稿", status=Article.Status.DRAFT, publish_at=None)  # an entry without a time
    for order in ("relevance", "date"):
        assert "找到约 18 篇文章（显示前 3 篇）" in page_text(client.get(SEARCH, {"q": "回收估计", "sort": order}))


def test_a_unit_named_in_full_width_letters_is_found_by_its_own_links(client, db, settings):
    """Names are kept as written: the unit page's box and the facet send ＡＢＣ集团 as it is."""
    settings.PAGE_CACHE_SECONDS = 0  # both links are the same address
    make("党建全角", units=["ＡＢＣ集团"])
    unit = Unit.objects.get(name="ＡＢＣ集团")
    name, value = scope_filter(client, unit.get_absolute_url())
    assert titles(client.get(SEARCH, {"q": "党建", name: value})) == ["党建全角"]
    facets = re.search(r'<nav class="facets".*?</nav>', client.get(SEARCH, {"q": "党建"}).content.decode(), re.S)
    link = re.search(r'href="([^"]+)">ＡＢＣ集团<', facets.group()).group(1).replace("&amp;", "&")
    assert titles(client.get(SEARCH + link)) == ["党建全角"]


def test_a_unit_named_in_full_width_letters_is_found_as_a_reader_types_it(client, db):
    """A reader types ABC集团 in half width for a unit kept as ＡＢＣ集团: the unit so named, and part of it."""
    make("党建全角", units=["ＡＢＣ集团"])
    make("党建半角", units=["ABCD集团"])
    for typed in ("ABC集团", "abc集团", "Ａbc集团"):
        assert titles(client.get(SEARCH, {"q": "党建", "unit": typed})) == ["党建全角"], typed
    assert sorted(titles(client.get(SEARCH, {"q": "党建", "unit": "abc"}))) == ["党建全角", "党建半角"]


def test_part_of_a_name_finds_every_unit_holding_it(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 0
    for i in range(205):
        make(f"党建{i:03}", units=[f"某集团{i:03}"], index=False)
    search.index_articles(Article.objects.values_list("pk", flat=True))
    assert "找到 205 篇文章" in page_text(client.get(SEARCH, {"q": "党建", "unit": "集团"}))
