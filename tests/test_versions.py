"""The content version moves when a change is committed, never before, and never for a rollback."""

import pytest
from django.db import transaction

from articles import versions

pytestmark = pytest.mark.django_db


def test_the_version_moves_when_the_change_commits(cache_backend):
    before = versions.content_version()
    with transaction.atomic():
        versions.content_changed()
        # Readers still see the old content: the version that announces the change must wait too.
        assert versions.content_version() == before
    assert versions.content_version() != before


def test_a_change_rolled_back_moves_nothing(cache_backend):
    before = versions.content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        versions.content_changed()
        raise RuntimeError("the save failed")
    assert versions.content_version() == before
    with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
        versions.content_changed()
        raise RuntimeError("the inner step failed")
    assert versions.content_version() == before


def test_the_request_that_made_the_change_reads_the_new_version_after_the_commit(cache_backend):
    with versions.one_content_version_per_request():
        before = versions.content_version()
        with transaction.atomic():
            versions.content_changed()
        assert versions.content_version() != before
