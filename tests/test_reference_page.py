"""The imported reference article shows every fragment of the reference page, in order."""

import pytest

from .conftest import SEED
from .pagetext import assert_in_order, page_text, squeeze


def reference_fragments(editor=False):
    """The fragments of the seed file, read straight from it (not through the importer). Its images have
    no file beside it: an editor sees a placeholder with the slot's name and the caption, readers nothing."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    header, section, subscribe, title_line, share, first, *rest = lines
    title, subtitle = title_line.split(" ——")
    # The dateline opens the first paragraph: source, column, author (江 风 → 江风), then the text.
    dateline_end = first.index("江 风") + len("江 风")
    # The masthead joins site and section with a full-width dash (the reference page has an ASCII hyphen).
    fragments = [header.replace("-", "—"), section, subscribe, title, "——" + subtitle, share.replace(":", "：")]
    fragments += ["《国企》杂志融媒浙江讯", "党建好故事", "江风", first[dateline_end:]]
    units = ["杭州医学院", "临安区住建局", "锦南街道综合行政执法队", "蓝乐集团", "北京中联环", "浙江一建"]
    for line in rest:
        if line.startswith("IMG_"):
            name, caption = line.split(maxsplit=1)
            fragments += [name, caption] if editor else []
        elif line.startswith("【关注分享】"):
            fragments += units + [line]
        elif line.startswith("•"):
            fragments.append(line.lstrip("• "))
        else:
            fragments.append(line)
    return fragments


@pytest.mark.parametrize("editor", [False, True])
def test_seed_renders_every_fragment_in_reference_order(request, seed_article, editor):
    client = request.getfixturevalue("staff_client" if editor else "client")
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 200
    text = squeeze(page_text(response))
    fragments = [squeeze(fragment) for fragment in reference_fragments(editor)]
    assert len(fragments) > 20
    assert_in_order(text, fragments)


def test_reference_page_structure(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "<title>党建引领聚合力 智能建造筑精品 - 《国企》杂志社官网</title>" in html
    assert html.count("<figure") == 0  # its images have no file yet: nothing unfinished for readers
    assert html.count("<h1") == 1
    text = page_text(client.get(seed_article.get_absolute_url()))
    assert_in_order(text, ["首页", "协会", "正文"])  # breadcrumbs
    assert "订阅" in text
    assert seed_article.publish_at.astimezone().strftime("%Y") in text
