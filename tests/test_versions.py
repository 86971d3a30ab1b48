"""Versions per scope move when a change is committed, never before, and never for a rollback."""

import pytest
from django.db import transaction

from articles import versions

pytestmark = pytest.mark.django_db


def test_a_version_moves_when_the_change_commits(cache_backend):
    before = versions.current(["section:1", "section:2"])
    with transaction.atomic():
        versions.changed({"section:1"})
        # Readers still see the old content: the version that announces the change must wait too.
        assert versions.current(["section:1", "section:2"]) == before
    after = versions.current(["section:1", "section:2"])
    assert after[0] != before[0] and after[1] == before[1]


def test_a_change_rolled_back_moves_nothing(cache_backend):
    before = versions.current(["article:7", versions.CHANGES])
    with pytest.raises(RuntimeError), transaction.atomic():
        versions.changed({"article:7"})
        raise RuntimeError("the save failed")
    assert versions.current(["article:7", versions.CHANGES]) == before
    with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
        versions.changed({"article:7"})
        raise RuntimeError("the inner step failed")
    assert versions.current(["article:7", versions.CHANGES]) == before


def test_every_bump_moves_the_change_counter_and_versions_never_repeat(cache_backend):
    counter = versions.content_version()
    versions.changed({"tag:3"})
    first = versions.current(["tag:3"])[0]
    assert versions.content_version() != counter and first is not None
    versions.changed({"tag:3"})
    assert versions.current(["tag:3"])[0] > first
    # A version lost with its key (a flushed Redis, a deleted row) starts again from the clock, never
    # from a small number that a copy kept before could still hold.
    if cache_backend == "redis":
        from django.core.cache import cache

        cache.clear()
    else:
        from articles.models import ContentVersion

        ContentVersion.objects.all().delete()
    versions.changed({"tag:3"})
    assert versions.current(["tag:3"])[0] > first


def test_the_request_that_made_the_change_reads_the_new_version_after_the_commit(cache_backend):
    with versions.one_read_per_request():
        before = versions.current([versions.SITE])
        with transaction.atomic():
            versions.site_changed()
        assert versions.current([versions.SITE]) != before


def test_within_a_request_each_scope_is_read_once(cache_backend, django_assert_num_queries):
    if cache_backend == "redis":
        pytest.skip("counts database queries: the versions are rows without Redis")
    with versions.one_read_per_request():
        with django_assert_num_queries(1):
            versions.current(["site", "article:1"])
            versions.current(["article:1"])
            versions.changes_before_reading()
        with django_assert_num_queries(1):
            versions.current(["site", "article:2"])  # only the scope not read yet


def test_a_store_is_refused_when_anything_changed_since_reading_began(cache_backend):
    counter = versions.changes_before_reading()
    assert versions.unchanged_since(counter, ["section:1"]) == versions.current(["section:1"])
    versions.changed({"unit:9"})  # a change elsewhere, while something was being made
    assert versions.unchanged_since(counter, ["section:1"]) is None
