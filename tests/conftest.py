from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

DEMO = Path(__file__).resolve().parent.parent / "demo"
SEED = DEMO / "000_b99ffb0ea46047b9.txt"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploads go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests need no collectstatic: serve static names as they are."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seed_article(db):
    """The reference article, imported the way `make run` imports it."""
    from articles.models import Article

    call_command("import_articles", str(SEED), stdout=StringIO())
    return Article.objects.get(import_key=SEED.name)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client
