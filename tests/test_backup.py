"""Backup and restore (articles/backups.py), as an operator runs them: `backup` on a site, then
`migrate` and `restore` in a new database and media folder, in processes of their own."""

import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import reversion
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from taggit.models import Tag

from articles import backups, renditions, workflow
from articles.models import Article, ArticleUnit, SiteSettings

from .conftest import SEED, member
from .factories import (
    ArticleFactory,
    ArticleImageFactory,
    ColumnFactory,
    CopyrightNoticeFactory,
    PromoBlockFactory,
    SectionFactory,
    UnitFactory,
)
from .sitedump import dump_site

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent
MOMENT = datetime.datetime(2025, 6, 12, 10, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
SUMMARY = "摘要末尾有空白 \t\n"


def build_tricky_site(django_user_model):
    """A site holding every kind of value a backup must give back as it was."""
    call_command("import_articles", str(SEED), stdout=StringIO())  # the reference article, its photo, a revision
    editor = member(django_user_model, "bianji", "编辑")
    proofreaders = Group.objects.create(name="校对 ")
    proofreaders.permissions.set(Permission.objects.filter(codename__in=["view_article", "change_article"]))
    user = django_user_model.objects.create_user("zhang", "", "pw-for-tests-only", first_name=" 张 ")
    user.groups.add(proofreaders)
    user.user_permissions.add(Permission.objects.get(codename="publish_article"))
    django_user_model.objects.filter(pk=user.pk).update(last_login=MOMENT, date_joined=MOMENT.replace(microsecond=1))

    section = SectionFactory(name="要闻\t", description="  两端空白  ")
    notice = CopyrightNoticeFactory(title="声明 ", clauses="第一条\r\n第二条\r\n")
    PromoBlockFactory(section=section, text="【关注】\r\n  缩进 ")
    article = ArticleFactory(
        title="𠮷田的报道 🎉",
        subtitle="",
        section=section,
        column=ColumnFactory(name="𠮷野家😀"),
        summary=SUMMARY,
        body="<p>第一段</p>\r\n<p>  第二段  </p>\r\n",
        author=" 江 风 ",
        editor="\n",
        publish_at=MOMENT,
        copyright_notice=notice,
        import_key="",  # an empty string, where the other articles have NULL
    )
    Article.objects.filter(pk=article.pk).update(
        created_at=MOMENT.replace(microsecond=1), updated_at=MOMENT.replace(microsecond=999999)
    )
    for order, unit in zip([2, 0, 1], [UnitFactory(name=f"单位{n} ") for n in "甲乙丙"], strict=True):
        ArticleUnit.objects.create(article=article, unit=unit, order=order)
    article.tags.add("智能建造", Tag.objects.create(name="尾随空格 ", slug="trailing"))
    image = ArticleImageFactory(article=article, caption=" 图注 ", alt_text="图\r\n说", credit="")
    renditions.make_renditions(image)
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_user(editor)
        reversion.set_comment("改了摘要  \r\n(末尾空白) ")
    workflow.trash(ArticleFactory(title="回收站里的", summary=""), user=editor)
    ArticleFactory(title="草稿", status=Article.Status.DRAFT, publish_at=None, subtitle=" ")
    SiteSettings.objects.filter(pk=1).update(icp_number="浙ICP备00000000号 ", about="关于我们\r\n\r\n  ")
    default_storage.save("attachments/说明 文件.txt", ContentFile("第一行\r\n第二行 ".encode()))
    workflow.all_articles_changed()  # the search index, as the admin keeps it
    return article


# --- another site, run as an operator runs one ---------------------------------------------------


def _env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "MEDIA_ROOT", "MEDIA_STORAGE_BACKEND", "MEDIA_STORAGE_OPTIONS"}
    }
    return {
        **env,
        "DJANGO_SECRET_KEY": "test-only-secret-key-not-for-production",
        "DJANGO_HTTPS": "0",
        "NEWSROOM_RELEASE": "test",
        **extra,
    }


def _postgres_admin():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _postgres_url(name):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


class Site:
    """A site of its own: a database and a media folder, run through manage.py in other processes."""

    def __init__(self, database_url, media):
        self.env = _env(DATABASE_URL=database_url, MEDIA_ROOT=str(media))
        self.media = media

    def manage(self, *args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT, env=self.env, capture_output=True, text=True, **kwargs
        )

    def dump(self):
        result = subprocess.run(
            [sys.executable, "-m", "tests.sitedump"], cwd=PROJECT, env=self.env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def _base_name():
    return django_settings.DATABASES["default"]["NAME"].rsplit("/", 1)[-1].removesuffix(".sqlite3")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, django_db_blocker):
    """A new database, migrated once; each test's new site is a copy of it."""
    folder = tmp_path_factory.mktemp("template-site")
    with django_db_blocker.unblock():
        postgres = connection.vendor == "postgresql"
        if postgres:
            name = f"{_base_name()}_backup_template"
            with _postgres_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
            url = _postgres_url(name)
        else:
            name = folder / "template.sqlite3"
            url = f"sqlite:///{name}"
    site = Site(url, folder / "media")
    result = site.manage("migrate", "-v0")
    assert result.returncode == 0, result.stderr
    yield postgres, name, site.dump()
    if postgres:
        with django_db_blocker.unblock(), _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def new_site(migrated_template, tmp_path, django_db_blocker):
    """A new, migrated site with an empty media folder; ``new_site.empty`` is its dump."""
    postgres, template, empty = migrated_template
    if postgres:
        name = f"{_base_name()}_backup_new_site"
        with django_db_blocker.unblock(), _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        site = Site(_postgres_url(name), tmp_path / "new-media")
    else:
        shutil.copy(template, tmp_path / "new.sqlite3")
        site = Site(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path / "new-media")
    site.empty = empty
    yield site
    if postgres:
        with django_db_blocker.unblock(), _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def archive(tmp_path, django_user_model):
    """The archive of a small tricky site."""
    build_tricky_site(django_user_model)
    path = tmp_path / "backup.tar.gz"
    call_command("backup", str(path), stdout=StringIO())
    return path


def members(path):
    """[(name, bytes)] of an archive."""
    with tarfile.open(path, "r:gz") as tar:
        return [(member.name, tar.extractfile(member).read()) for member in tar]


def write_archive(path, entries, fix_sums=True):
    """An archive of these members. With ``fix_sums`` the sums members and the manifest are made to
    match the members, so that a test reaches what it means to test rather than the hash check."""
    if fix_sums:
        data_of, fixed = dict(entries), {}
        for name, data in entries:
            if name.startswith("sums/"):
                sums = json.loads(data)
                for member, entry in sums.items():
                    if member in data_of:
                        entry.update(size=len(data_of[member]), sha256=hashlib.sha256(data_of[member]).hexdigest())
                fixed[name] = json.dumps(sums).encode()
        manifest = json.loads(data_of["manifest.json"])
        manifest["sums"] = {name: hashlib.sha256(fixed[name]).hexdigest() for name in manifest["sums"]}
        fixed["manifest.json"] = json.dumps(manifest).encode()
        entries = [(name, fixed.get(name, data)) for name, data in entries]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def assert_restore_fails(site, path, *messages):
    result = site.manage("restore", str(path))
    assert result.returncode != 0
    assert "the site is as it was" in result.stderr
    for message in messages:
        assert message in result.stderr, result.stderr
    assert site.dump() == site.empty  # no row, no media file
    assert not site.media.exists() or not any(p.is_file() for p in site.media.rglob("*"))
    return result.stderr


# --- the round trip ------------------------------------------------------------------------------


def test_a_site_comes_back_exactly_in_a_new_database_and_media_folder(tmp_path, new_site, django_user_model):
    article = build_tricky_site(django_user_model)
    before = dump_site()
    rows = before["models"]
    # The site holds the values a careless format changes (so the comparison below means something).
    mine = next(row for row in rows["articles.article"] if row["id"] == article.pk)
    assert mine["summary"] == SUMMARY and mine["import_key"] == "" and mine["subtitle"] == ""
    assert mine["publish_at"] == ["datetime", "2025-06-12T02:30:15.123456+00:00"]
    assert [r["order"] for r in rows["articles.articleunit"] if r["article_id"] == article.pk] == [2, 0, 1]
    assert any(r["comment"] == "改了摘要  \r\n(末尾空白) " for r in rows["reversion.revision"])
    assert len(rows["reversion.version"]) >= 4 and len(rows["articles.imagerendition"]) >= 2
    assert any(r["permissions"] for r in rows["auth.group"]) and any(r["user_permissions"] for r in rows["auth.user"])
    assert len(before["media"]) >= 4 and before["search 智能建造"]

    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=StringIO())
    result = new_site.manage("restore", str(path))
    assert result.returncode == 0, result.stderr
    after = new_site.dump()

    assert sorted(after["models"]) == sorted(before["models"])
    for label, rows in before["models"].items():
        assert after["models"][label] == rows, label  # every row, field by field
    assert after["media"] == before["media"]  # every file, by its sha256
    assert after["search 智能建造"] == before["search 智能建造"]
    for name in before["media"]:
        with default_storage.open(name) as original:
            assert (new_site.media / name).read_bytes() == original.read()
    # New rows get ids after the restored ones.
    made = new_site.manage("shell", "-c", "from articles.models import Unit; print(Unit.objects.create(name='新').pk)")
    assert made.returncode == 0, made.stderr
    assert int(made.stdout.split()[-1]) > max(row["id"] for row in before["models"]["articles.unit"])


@pytest.mark.django_db(transaction=True)
def test_restore_goes_through_the_storage_api(tmp_path, django_user_model, settings):
    """Media on a storage that is not a folder (S3-compatible storage in production) are backed up and restored."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    build_tricky_site(django_user_model)
    before = dump_site()
    assert len(before["media"]) >= 4
    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=StringIO())
    assert not (tmp_path / "media").exists()  # nothing was ever on disk
    archived = {name[len("media/") :] for name, _ in members(path) if name.startswith("media/")}
    assert archived == set(before["media"])

    # An empty site (the rows flushed) on a new, empty in-memory storage.
    call_command("flush", "--noinput")
    ContentType.objects.clear_cache()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert dump_site()["media"] == {}
    call_command("restore", str(path), stdout=StringIO())
    after = dump_site()
    assert after["models"] == before["models"]
    assert after["media"] == before["media"]  # every file, staged ones included: none is left over


# --- checking an archive -------------------------------------------------------------------------


def test_check_reports_what_an_archive_holds_and_writes_nothing(archive):
    before = dump_site()
    out = StringIO()
    call_command("restore", "--check", str(archive), stdout=out)
    assert dump_site() == before
    report = out.getvalue()
    assert "newsroom 0.1.0" in report
    assert "the same as this code's" in report
    assert f"articles.article: {Article.objects.count()}" in report
    assert "is whole" in report
    entries = dict(members(archive))
    manifest = json.loads(entries["manifest.json"])
    assert manifest["models"]["articles.article"] == Article.objects.count()
    sums = {}
    for name in manifest["sums"]:
        assert hashlib.sha256(entries[name]).hexdigest() == manifest["sums"][name]
        sums.update(json.loads(entries[name]))
    assert sums["media/attachments/说明 文件.txt"] == {
        "size": len("第一行\r\n第二行 ".encode()),
        "sha256": hashlib.sha256("第一行\r\n第二行 ".encode()).hexdigest(),
    }
    assert set(sums) == set(entries) - {"manifest.json", *manifest["sums"]}  # every member has its sums
    assert manifest["migrations"] == backups.applied_migrations()
    assert manifest["project"]["version"] == "0.1.0"


def test_check_finds_a_truncated_or_damaged_archive(archive, tmp_path):
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CommandError, match="is not whole"):
        call_command("restore", "--check", str(truncated), stdout=StringIO())

    entries = members(archive)
    name, chunk = next((n, d) for n, d in entries if n.startswith("data/articles.article/"))
    changed = [(n, d.replace("草稿".encode(), "草图".encode()) if n == name else d) for n, d in entries]
    damaged = write_archive(tmp_path / "damaged.tar.gz", changed, fix_sums=False)
    with pytest.raises(CommandError, match=f"{name}: damaged"):
        call_command("restore", "--check", str(damaged), stdout=StringIO())


# --- all or nothing ------------------------------------------------------------------------------


def test_a_truncated_archive_leaves_the_new_site_as_it_was(archive, tmp_path, new_site):
    data = archive.read_bytes()
    # Cut where the media files are: the rows have all been read, and some files.
    raw = gzip.decompress(data)
    cut = raw.index(b"media/attachments") + 2000
    path = tmp_path / "truncated.tar.gz"
    path.write_bytes(gzip.compress(raw[:cut]))
    stderr = assert_restore_fails(new_site, path)
    assert "truncated" in stderr or "damaged" in stderr


def test_a_damaged_member_leaves_the_new_site_as_it_was(archive, tmp_path, new_site):
    entries = members(archive)
    name = next(n for n, _ in entries if n.startswith("data/articles.article/"))
    # Still valid JSON, every row still loads: only the manifest's sha256 tells.
    changed = [(n, d.replace("草稿".encode(), "草图".encode()) if n == name else d) for n, d in entries]
    path = write_archive(tmp_path / "damaged.tar.gz", changed, fix_sums=False)
    assert_restore_fails(new_site, path, f"{name}: damaged")


def test_flipped_bytes_in_the_compressed_stream_leave_the_new_site_as_it_was(archive, tmp_path, new_site):
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path = tmp_path / "flipped.tar.gz"
    path.write_bytes(bytes(data))
    assert_restore_fails(new_site, path)


def test_a_member_that_fails_to_load_is_named_and_nothing_is_kept(archive, tmp_path, new_site):
    entries = members(archive)
    name, chunk = next((n, d) for n, d in entries if n.startswith("data/articles.article/"))
    objects = json.loads(chunk)
    objects[-1]["fields"]["section"] = 999999  # a section the archive does not have
    changed = [(n, json.dumps(objects).encode() if n == name else d) for n, d in entries]
    path = write_archive(tmp_path / "bad-member.tar.gz", changed)
    assert_restore_fails(new_site, path, "do not fit together")

    objects[-1]["fields"]["publish_at"] = "not a time"
    changed = [(n, json.dumps(objects).encode() if n == name else d) for n, d in entries]
    path = write_archive(tmp_path / "bad-member.tar.gz", changed)
    assert_restore_fails(new_site, path, name)


def test_an_archive_from_newer_migrations_is_refused_before_anything_is_written(archive, tmp_path, new_site):
    entries = members(archive)
    newer = []
    for name, data in entries:
        if name in {"backup.json", "manifest.json"}:
            facts = json.loads(data)
            facts["migrations"].append("articles.9999_from_the_future")
            data = json.dumps(facts).encode()
        newer.append((name, data))
    path = write_archive(tmp_path / "newer.tar.gz", newer)
    assert_restore_fails(new_site, path, "newer code", "articles.9999_from_the_future")


def test_an_archive_from_older_migrations_is_refused(archive, tmp_path, new_site):
    entries = members(archive)
    older = []
    for name, data in entries:
        if name in {"backup.json", "manifest.json"}:
            facts = json.loads(data)
            facts["migrations"].remove("articles.0009_search_entry_gin_index")
            data = json.dumps(facts).encode()
        older.append((name, data))
    path = write_archive(tmp_path / "older.tar.gz", older)
    assert_restore_fails(new_site, path, "older code", "articles.0009_search_entry_gin_index")


@pytest.mark.parametrize("name", ["media/../../escaped.txt", "/tmp/absolute.txt", "media/a/../../escaped.txt"])
def test_members_outside_the_media_folder_are_refused(archive, tmp_path, new_site, name):
    entries = members(archive)
    entries.insert(-1, (name, b"written outside"))
    path = write_archive(tmp_path / "escape.tar.gz", entries)
    assert_restore_fails(new_site, path, name, "refused")
    assert not (new_site.media.parent / "escaped.txt").exists()
    assert not Path("/tmp/absolute.txt").exists()


def test_a_link_member_is_refused(archive, tmp_path, new_site):
    path = tmp_path / "link.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members(archive):
            if name == "manifest.json":
                link = tarfile.TarInfo("media/passwd")
                link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(link)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert_restore_fails(new_site, path, "media/passwd: refused: not a regular file")


def test_a_different_file_of_the_same_name_in_the_new_site_is_kept(archive, new_site):
    """Media files are never overwritten: a file of the archive's name with other bytes stops the restore."""
    name = next(n for n, _ in members(archive) if n.startswith("media/attachments/"))
    mine = new_site.media / name.removeprefix("media/")
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"the new site's own file")
    result = new_site.manage("restore", str(archive))
    assert result.returncode != 0
    assert f"{name}: the site already has a different file of this name" in result.stderr
    assert mine.read_bytes() == b"the new site's own file"
    assert new_site.dump()["models"] == new_site.empty["models"]
    assert [p for p in new_site.media.rglob("*") if p.is_file()] == [mine]


def test_an_interrupted_restore_leaves_the_new_site_as_it_was(archive, tmp_path, new_site):
    """Ctrl-C half way: the archive comes through a pipe that stops after the rows and a file."""
    raw = gzip.decompress(archive.read_bytes())
    cut = raw.index(b"media/attachments") + 3000
    head = gzip.compress(raw)[: len(gzip.compress(raw[:cut]))]  # the compressed stream, up to about there
    fifo = tmp_path / "archive.fifo"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "restore", str(fifo)],
        cwd=PROJECT,
        env=new_site.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with open(fifo, "wb") as pipe:
        pipe.write(head)
        pipe.flush()
        # Wait until the restore is staging media files, then interrupt it.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(new_site.media.glob(f"{backups.STAGING}*/**/*.*")):
            time.sleep(0.05)
        if not any(new_site.media.glob(f"{backups.STAGING}*/**/*.*")):
            process.kill()
            pytest.fail(f"the restore never got to the media: {process.communicate()}")
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "interrupted at media/" in err and "the site is as it was" in err
    assert new_site.dump() == new_site.empty
    assert not any(p.is_file() for p in new_site.media.rglob("*"))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="on SQLite the database file is limited too"
)
def test_a_full_disk_leaves_the_new_site_as_it_was(tmp_path, new_site, django_user_model):
    """The media folder's disk fills up (RLIMIT_FSIZE: no file of the restore may pass 64 KiB)."""
    build_tricky_site(django_user_model)
    default_storage.save("attachments/large.bin", ContentFile(os.urandom(200_000)))
    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=StringIO())

    def limit():
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(path)],
        cwd=PROJECT,
        env=new_site.env,
        capture_output=True,
        text=True,
        preexec_fn=limit,
    )
    assert result.returncode != 0
    assert "media/attachments/large.bin" in result.stderr and "the site is as it was" in result.stderr
    assert new_site.dump() == new_site.empty
    assert not any(p.is_file() for p in new_site.media.rglob("*"))


# --- streaming ------------------------------------------------------------------------------------


def test_nothing_is_kept_per_member_while_streaming(tmp_path):
    """tarfile keeps the header of every member it reads or writes, even streaming (about 530 bytes
    a member: hundreds of MB for a site with 100,000 images and their renditions). Writing and
    reading keep at most SUMS_EVERY members' sums (bench/backup.py measures whole processes)."""
    path = tmp_path / "many.tar.gz"
    with open(path, "wb") as raw, tarfile.open(fileobj=raw, mode="w|gz") as tar:
        writer = backups._Writer(tar)
        writer.add_bytes(backups.HEADER, json.dumps({"format": backups.FORMAT, "migrations": []}).encode())
        for i in range(2500):
            writer.add_bytes(f"media/articles/照片-{i:06d}.jpg", b"x")
            assert tar.members == [] and len(writer.pending) < backups.SUMS_EVERY
        writer.write_sums()
        manifest = {"migrations": [], "models": {}, "media": {"files": 2500, "bytes": 2500}, "sums": writer.sums}
        data = json.dumps(manifest).encode()
        writer._add(backups.MANIFEST, io.BytesIO(data), len(data))
    assert len(writer.sums) == 3

    with backups.Reader(path) as reader:
        reader.header()
        for _entry in reader.entries():
            assert reader.tar.members == [] and len(reader.pending) <= backups.SUMS_EVERY
    assert reader.media_files == 2500 and len(reader.sums) == 3


# --- what restore refuses ------------------------------------------------------------------------


def test_restore_refuses_a_site_that_is_not_empty_and_files_that_are_not_archives(tmp_path):
    ArticleFactory()
    call_command("backup", str(tmp_path / "x.tar.gz"), stdout=StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "x.tar.gz"), stdout=StringIO())
    assert Article.objects.count() == 1
    (tmp_path / "bad.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a backup archive"):
        call_command("restore", str(tmp_path / "bad.tar.gz"), stdout=StringIO())


def test_a_failed_backup_leaves_no_archive(tmp_path, media_root):
    """A media file gone between listing and reading: the backup fails naming it, and leaves no archive."""
    default_storage.save("attachments/kept.txt", ContentFile(b"kept"))
    (media_root / "attachments" / "gone.txt").symlink_to(media_root / "nowhere")
    with pytest.raises(CommandError, match="media/attachments/gone.txt"):
        call_command("backup", str(tmp_path / "x.tar.gz"), stdout=StringIO())
    assert list(tmp_path.glob("x.tar.gz*")) == []
