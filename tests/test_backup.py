import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles import search
from articles.models import Article, ArticleImage, CopyrightNotice, PromoBlock, SiteSettings, Unit

from .conftest import SEED
from .factories import ArticleFactory, ArticleImageFactory

SEED_TITLE = "党建引领聚合力 智能建造筑精品"

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot():
    return {
        "articles": sorted(
            (a.title, a.subtitle, a.body, a.status, a.publish_at, a.section.name, a.column and a.column.name)
            for a in Article.objects.all()
        ),
        "images": sorted(
            (i.article.title, i.image.name, i.caption, i.alt_text, i.position) for i in ArticleImage.objects.all()
        ),
        "units": sorted((u.article.title, u.unit.name, u.order) for u in Article.units.through.objects.all()),
        "tags": sorted((a.title, tuple(sorted(a.tags.names()))) for a in Article.objects.all()),
        "notices": sorted((n.title, n.clauses, n.is_default) for n in CopyrightNotice.objects.all()),
        "promos": sorted((p.title, p.text) for p in PromoBlock.objects.all()),
        "settings": SiteSettings.load().icp_number,
    }


def test_backup_and_restore_round_trip(tmp_path, media_root, django_user_model):
    call_command("import_articles", str(SEED), stdout=StringIO())
    article = ArticleFactory(title="带图文章")
    image = ArticleImageFactory(article=article, caption="图注")
    article.tags.add("党建", "智能建造")
    SiteSettings.objects.filter(pk=1).update(icp_number="浙ICP备00000000号")
    django_user_model.objects.create_user("editor", password="pw-for-tests-only")
    before = snapshot()
    image_bytes = (media_root / image.image.name).read_bytes()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=StringIO())

    # An empty site: no rows, no media.
    call_command("flush", "--noinput")
    shutil.rmtree(media_root)
    call_command("migrate", verbosity=0)  # recreates the rows migrations make (site settings)
    assert not Article.objects.exists() and not Unit.objects.exists()

    call_command("restore", str(archive), stdout=StringIO())
    assert snapshot() == before
    assert [a.title for a in search.search(search.parse("智能建造"))[0:10]] == [SEED_TITLE, "带图文章"]
    assert (media_root / image.image.name).read_bytes() == image_bytes
    assert django_user_model.objects.get(username="editor").check_password("pw-for-tests-only")


def test_restore_refuses_a_site_with_articles_and_bad_archives(tmp_path):
    ArticleFactory()
    with pytest.raises(CommandError, match="empty site"):
        call_command("restore", str(tmp_path / "x.tar.gz"))
    Article.objects.all().delete()
    (tmp_path / "bad.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a backup archive"):
        call_command("restore", str(tmp_path / "bad.tar.gz"))
