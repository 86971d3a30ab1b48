"""Pasting from Word, WPS and the WeChat 公众号 editor: what the clipboard holds, stored and served plain.

The fixtures in tests/pasted/ are clipboard HTML as those programs write it: Word's "HTML Format"
(header, conditional comments, mso classes and styles, o:p, VML), WPS's (the same family, with
font elements and bold as a style), WeChat's editor (sections, spans with styles, data-* tracking
attributes, lazy images, tracking parameters on links).
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from articles import pasted
from articles.bodies import sanitize_html
from articles.models import Article

from .factories import SectionFactory
from .test_admin import article_data

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "pasted"


def clipboard(name):
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


def squeezed(html):
    return re.sub(r">\s+<", "><", html).strip()


EXPECTED = {
    "word": (
        "<h2>智能建造推进会在杭州召开</h2>"
        "<p>近日，浙江一建在杭州召开智能建造推进会，<b>总结上半年工作</b>，并部署下一阶段任务。"
        '详见<a href="https://www.example.com/news/2025/0612.html?id=7" rel="noopener noreferrer">会议通知</a>。</p>'
        "<h2>一、主要成果</h2>"
        "<ol><li>完成主体结构施工</li><li>建成BIM协同平台</li><li>培养青年技术骨干20名</li></ol>"
        "<p>下一步重点：</p>"
        "<ul><li>安全生产</li><li>质量管理</li></ul>"
        "<table><tbody><tr><td><b>项目</b></td><td><b>完成率</b></td></tr>"
        "<tr><td>临安二期</td><td>98%</td></tr></tbody></table>"
        "<p>（江风）</p>"
    ),
    "wps": (
        "<h2><b>乡村振兴工作座谈会召开</b></h2>"
        "<p>座谈会由集团<strong>党委书记</strong>主持，"
        '<a href="http://www.example.com/xczx/" rel="noopener noreferrer">乡村振兴专题</a>同步上线。</p>'
        "<ol><li>产业帮扶</li><li>人才帮扶</li></ol>"
        "<table><tbody><tr><td>帮扶村</td><td>投入资金（万元）</td></tr>"
        "<tr><td>下渚湖村</td><td>120</td></tr></tbody></table>"
    ),
    "wechat": (
        "<p><strong>党建引领</strong></p>"
        "<p>12月3日，杭州医学院临安二期项目举行党建联建签约仪式。<strong>六家单位</strong>共同签署《支部共建协议书》。</p>"
        "<ul><li><p>共建党建阵地</p></li><li><p>共育青年人才</p></li></ul>"
        '<p>往期回顾：<a href="https://mp.weixin.qq.com/s?__biz=MzA5NTAxMjM0NQ==&amp;mid=2650012345&amp;idx=1'
        '&amp;sn=0123456789abcdef#wechat_redirect" rel="noopener noreferrer">智能建造筑精品</a></p>'
        "<table><tbody><tr><td>单位</td><td>人数</td></tr><tr><td>浙江一建</td><td>36</td></tr></tbody></table>"
    ),
}


@pytest.mark.parametrize("source", ["word", "wps", "wechat"])
def test_pasted_html_keeps_its_structure_and_loses_its_styles(source):
    clean = sanitize_html(clipboard(source))
    assert squeezed(clean) == EXPECTED[source]
    for leftover in [
        "style",
        "class=",
        "mso",
        "o:p",
        "data-",
        "<span",
        "<section",
        "<font",
        "if !supportLists",
        "<img",
    ]:
        assert leftover not in clean, leftover


@pytest.mark.parametrize("source", ["word", "wps", "wechat"])
def test_a_body_pasted_in_the_form_is_stored_and_served_plain(editor_client, source):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_data(SectionFactory(), title=f"粘贴自{source}", body=clipboard(source)),
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert squeezed(article.body) == EXPECTED[source]
    page = editor_client.get(article.get_absolute_url()).content.decode()
    start = page.index('class="article-body')
    body = squeezed(page[start : page.index("</article>", start)])
    assert "<table><tbody><tr><td>" in body
    assert ("<ol><li>" in body) == (source != "wechat") and ("<ul><li>" in body) == (source != "wps")
    assert "mso" not in page and "data-itemshowtype" not in page


def test_the_paste_endpoint_answers_the_cleaned_html_to_whoever_may_write(editor_client, django_user_model):
    from django.test import Client

    from .conftest import member

    url = reverse("admin:articles_article_paste")
    response = editor_client.post(url, {"html": clipboard("wps")})
    assert response.status_code == 200
    assert squeezed(response.json()["html"]) == EXPECTED["wps"]
    assert editor_client.get(url).status_code == 405
    assert Client().post(url, {"html": clipboard("wps")}).status_code == 302  # not logged in: to the login page
    outsider = Client()
    outsider.force_login(django_user_model.objects.create_user("staff", is_staff=True))  # in no role
    assert outsider.post(url, {"html": clipboard("wps")}).status_code == 403
    reviewer = Client()
    reviewer.force_login(member(django_user_model, "shenhe", "审核"))
    assert reviewer.post(url, {"html": "<p>一</p>"}).status_code == 200  # a reviewer corrects texts too


def test_markup_from_elsewhere_is_left_to_the_sanitiser_alone():
    html = "<p>第一段<b>加粗</b></p><ul><li>一</li></ul>"
    assert not pasted.looks_pasted(html)
    assert sanitize_html(html) == html


def test_tracking_parameters_go_and_others_stay():
    assert pasted._untracked("https://a.cn/x?utm_source=wx&id=3&from=timeline#top") == "https://a.cn/x?id=3#top"
    assert pasted._untracked("https://a.cn/x?utm_medium=1") == "https://a.cn/x"


def test_nested_word_lists_nest():
    item = (
        "<p class=MsoListParagraph style='mso-list:l0 level{} lfo1'>"
        "<![if !supportLists]><span>{}</span><![endif]>{}</p>"
    )
    html = item.format(1, "1.", "甲") + item.format(2, "a)", "甲一") + item.format(1, "2.", "乙")
    assert sanitize_html(html) == "<ol><li>甲<ol><li>甲一</li></ol></li><li>乙</li></ol>"
