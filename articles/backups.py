"""Backup archives: the site's database, model by model, and its media files in one ``.tar.gz``,
written and read as a stream.

Members, in this order::

    backup.json                  what made the archive: format, project version and commit, migrations
    data/<app.model>/000001.json at most CHUNK objects of one model
    media/<name>                 each file of the default storage, byte for byte
    sums/000001.json             after every SUMS_EVERY members: the size and sha256 of each (and a data
                                 member's count of objects), so nobody keeps a list of the whole archive
    manifest.json                backup.json's facts again, a count per model, media totals, and the
                                 sha256 of each sums member

Neither side holds more than one data member, a buffer of a media file or SUMS_EVERY members' sums at
a time: the backup reads each model through a server-side cursor and each file through the storage
API (so media on S3-compatible storage are kept too); the restore reads the archive front to back
(``r|gz``), never extracting it, loads the rows in one transaction and stages media files under a
temporary folder, so that a failure anywhere leaves the site as it was.

**Why JSON, written by our own encoder.** Django's XML deserializer strips the text of every field
(white space at either end is lost) and its JSON encoder, ``DjangoJSONEncoder``, cuts times to
milliseconds. Python's ``json`` keeps every string exactly (``\\r\\n``, characters beyond the BMP,
``""`` apart from ``null``), so objects are made by Django's Python serializer and written by
``json`` with an encoder that writes times whole (microseconds and offset).

**Ids.** Content types and permissions are not in the archive: ``migrate`` makes them in the new
database, under other ids, so rows refer to them by natural key (app label and model; codename).
Every row in the archive keeps its id, so links between rows come back as they were.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import time
import tomllib
import uuid
import zlib
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
HEADER = "backup.json"
MANIFEST = "manifest.json"
CHUNK = 500  # objects per data member at most
CHUNK_BYTES = 4 * 1024 * 1024  # and fewer when they are large
SUMS_EVERY = 1000  # members between two sums members
STAGING = ".restore-"  # the folder, in the media storage, where a restore writes files before putting them in place

# Left out: made again by migrate (content types, permissions), rebuilt by restore (the search
# index, the content version), or not worth keeping (sessions, the admin's log, login attempts).
EXCLUDED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "admin.logentry",
    "articles.searchentry",
    "articles.contentversion",
}
EXCLUDED_APPS = {"axes"}
# Rows that migrations make in a new database (the roles, the settings row): the archive's replace them.
MADE_BY_MIGRATIONS = ["auth.group", "articles.sitesettings"]


class BackupError(Exception):
    """What went wrong, for the operator; names the member where it did."""


def _kept(model):
    return model._meta.label_lower not in EXCLUDED and model._meta.app_label not in EXCLUDED_APPS


def kept_models():
    """The models a backup keeps, in the order of INSTALLED_APPS (links between rows are checked at the end)."""
    return [model for model in apps.get_models() if model._meta.managed and not model._meta.proxy and _kept(model)]


def _natural_fks(model):
    """The model's foreign keys to rows the archive does not carry (named by natural key)."""
    return [field.name for field in model._meta.concrete_fields if field.is_relation and not _kept(field.related_model)]


# --- what made an archive -----------------------------------------------------------------------


def project():
    """The project's version (pyproject.toml), git commit when there is one, and release."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            version = tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"name": "newsroom", "version": version, "commit": commit or None, "release": settings.RELEASE}


def applied_migrations(using=DEFAULT_DB_ALIAS):
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[using]).applied_migrations())


def migration_mismatch(archive_migrations):
    """Why this code cannot restore an archive with these applied migrations, or None.

    An archive from newer code is refused; so is one from older code, whose rows the migrations
    made since (data migrations among them) have not changed.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)  # a squashed migration stands for those it replaces
    archive = set(archive_migrations)
    newer = sorted(archive - {f"{app}.{name}" for app, name in known})
    if newer:
        return (
            f"the archive was made by newer code: it has migrations this code does not know ({', '.join(newer)}). "
            "Deploy that code or newer, migrate, then restore."
        )
    older = sorted({f"{app}.{name}" for app, name in loader.graph.nodes} - archive)
    if older:
        return (
            f"the archive was made by older code: it lacks migrations {', '.join(older)}. Restore it with the "
            "code it was made by (its commit is in backup.json), then deploy this code and migrate, so that "
            "the migrations change the restored rows as they would have changed the site's."
        )
    return None


# --- writing ------------------------------------------------------------------------------------


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times are written whole: it cuts them to milliseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(PythonSerializer):
    """Django's Python serializer, handing each object on as it is made (it keeps none), naming by
    natural key the rows the archive does not carry."""

    def __init__(self, emit):
        super().__init__()
        self.emit = emit

    def end_object(self, obj):
        self.emit(self.get_dump_object(obj))
        self._current = None

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = not _kept(field.related_model)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = not _kept(field.related_model)
        super().handle_m2m_field(obj, field)


class _Hashing:
    """A file read through, counting and hashing what is read."""

    def __init__(self, file):
        self.file, self.size, self.sha256 = file, 0, hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.size += len(data)
        self.sha256.update(data)
        return data

    def drain(self):
        while self.read(1024 * 1024):
            pass

    def sums(self):
        return {"size": self.size, "sha256": self.sha256.hexdigest()}


def _json_bytes(value):
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode()


class _Writer:
    def __init__(self, tar):
        self.tar, self.mtime = tar, int(time.time())
        self.pending, self.sums = {}, {}  # members since the last sums member; sums members written
        self.media_files = self.media_bytes = 0

    def _add(self, name, file, size):
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, self.mtime, 0o644
        reader = _Hashing(file)
        self.tar.addfile(info, reader)  # raises if the file is shorter than ``size``
        self.tar.members.clear()  # tarfile keeps every member's header, even when streaming
        return reader.sums()

    def add(self, name, file, size, **facts):
        self.pending[name] = {**self._add(name, file, size), **facts}
        if len(self.pending) >= SUMS_EVERY:
            self.write_sums()

    def add_bytes(self, name, data, **facts):
        self.add(name, io.BytesIO(data), len(data), **facts)

    def write_sums(self):
        if self.pending:
            name = f"sums/{len(self.sums) + 1:06d}.json"
            data = _json_bytes(self.pending)
            self.sums[name] = self._add(name, io.BytesIO(data), len(data))["sha256"]
            self.pending = {}

    def add_model(self, model, using):
        """Write the model's rows, CHUNK at a time from a server-side cursor; returns how many."""
        label = model._meta.label_lower
        parts, size, count, number = [], 0, 0, 0

        def flush():
            nonlocal parts, size, number
            number += 1
            data = ("[\n" + ",\n".join(parts) + "\n]\n").encode()
            self.add_bytes(f"data/{label}/{number:06d}.json", data, objects=len(parts))
            parts, size = [], 0

        def emit(obj):
            nonlocal size, count
            parts.append(json.dumps(obj, cls=ExactEncoder, ensure_ascii=False))
            size += len(parts[-1])
            count += 1
            if len(parts) >= CHUNK or size >= CHUNK_BYTES:
                flush()

        rows = model._base_manager.using(using).order_by("pk")
        if natural := _natural_fks(model):
            rows = rows.select_related(*natural)
        prefetch = [
            models.Prefetch(
                field.name,
                queryset=field.related_model._base_manager.select_related(*_natural_fks(field.related_model))
                if not _kept(field.related_model)
                else field.related_model._base_manager.only("pk"),
            )
            for field in model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        _Serializer(emit).serialize(rows.prefetch_related(*prefetch).iterator(chunk_size=CHUNK))
        if parts:
            flush()
        return count

    def add_media(self, storage, name):
        try:
            size = storage.size(name)
            with storage.open(name, "rb") as file:
                self.add(f"media/{name}", file, size)
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"media/{name}: {exc}") from exc
        self.media_files, self.media_bytes = self.media_files + 1, self.media_bytes + size


@contextlib.contextmanager
def _snapshot(using):
    """One consistent view of the database for the whole backup (a live site keeps changing)."""
    connection = connections[using]
    if connection.in_atomic_block:  # already in a transaction (a test, a caller's): read in it
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def media_names(storage):
    """Every file of the storage, folder by folder, except a restore's staging folders."""

    def walk(folder):
        folders, files = storage.listdir(folder)
        for name in sorted(files):
            yield f"{folder}/{name}" if folder else name
        for sub in sorted(folders):
            if folder or not sub.startswith(STAGING):
                yield from walk(f"{folder}/{sub}" if folder else sub)

    with contextlib.suppress(FileNotFoundError):  # no media folder yet
        yield from walk("")


def backup(path, storage=None, using=DEFAULT_DB_ALIAS):
    """Write the archive to ``path`` (through ``path.partial``, renamed when whole). Returns its manifest."""
    storage = storage or default_storage
    partial = f"{path}.partial"
    try:
        with open(partial, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w|gz") as tar:
                writer = _Writer(tar)
                with _snapshot(using):
                    header = {
                        "format": FORMAT,
                        "project": project(),
                        "created": datetime.datetime.now(datetime.UTC).isoformat(),
                        "database": connections[using].vendor,
                        "migrations": applied_migrations(using),
                    }
                    writer.add_bytes(HEADER, _json_bytes(header))
                    counts = {model._meta.label_lower: writer.add_model(model, using) for model in kept_models()}
                for name in media_names(storage):
                    writer.add_media(storage, name)
                writer.write_sums()
                manifest = {
                    **header,
                    "models": counts,
                    "media": {"files": writer.media_files, "bytes": writer.media_bytes},
                    "sums": writer.sums,
                }
                data = _json_bytes(manifest)
                writer._add(MANIFEST, io.BytesIO(data), len(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
        raise
    return manifest


# --- reading ------------------------------------------------------------------------------------


def _member_kind(member):
    """("data", "app.model"), ("media", name) or ("sums", None) for a member; BackupError for anything else."""
    name = member.name
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or any(part in {"", ".", ".."} for part in parts):
        raise BackupError(f"{name}: refused: a name that points outside the archive's folders")
    if not member.isfile():
        raise BackupError(f"{name}: refused: not a regular file (a link, a folder or a device)")
    if parts[0] == "data" and len(parts) == 3 and parts[2].endswith(".json"):
        return "data", parts[1]
    if parts[0] == "media" and len(parts) > 1 and not parts[1].startswith(STAGING):
        return "media", "/".join(parts[1:])
    if parts[0] == "sums" and len(parts) == 2:
        return "sums", None
    raise BackupError(f"{name}: not a member of a backup archive")


class Entry:
    """A data or media member being read. For a data member the reader of ``file`` sets ``objects``."""

    def __init__(self, kind, name, file):
        self.kind, self.name, self.file, self.objects = kind, name, file, None


class Reader:
    """Reads an archive front to back, checking every member against the sums that follow it and
    the sums against the manifest at the end. ``member`` names the member being read, for messages.
    """

    def __init__(self, path):
        self.path, self.member = str(path), None
        self.pending, self.sums = {}, {}  # members since the last sums member; sums members read
        self.counts, self.media_files, self.media_bytes = Counter(), 0, 0

    def __enter__(self):
        try:
            # Unbuffered: from a pipe, each read returns what has come (a buffered read waits for a whole buffer).
            self.raw = open(self.path, "rb", buffering=0)  # noqa: SIM115 (closed by __exit__)
        except OSError as exc:
            raise BackupError(f"{self.path}: {exc.strerror}") from exc
        try:
            self.tar = tarfile.open(fileobj=self.raw, mode="r|gz")
        except (tarfile.TarError, OSError, EOFError) as exc:
            self.raw.close()
            raise BackupError(f"{self.path}: not a backup archive ({exc})") from exc
        return self

    def __exit__(self, *exc_info):
        with contextlib.suppress(Exception):
            self.tar.close()
        self.raw.close()

    @contextlib.contextmanager
    def blame(self):
        """Errors inside name the member being read."""
        try:
            yield
        except BackupError:
            raise
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise BackupError(f"{self.member}: the archive is damaged or truncated here ({exc})") from exc
        except Exception as exc:
            raise BackupError(f"{self.member}: {type(exc).__name__}: {exc}") from exc

    def _next(self):
        try:
            member = self.tar.next()
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            where = f"after {self.member}" if self.member else self.path
            raise BackupError(f"{where}: the archive is damaged or truncated ({exc})") from exc
        self.tar.members.clear()  # tarfile keeps every member's header, even when streaming
        if member is not None:
            self.member = member.name
        return member

    def _json(self, member):
        """A member that holds a JSON object, and its sums."""
        with self.blame():
            file = _Hashing(self.tar.extractfile(member))
            value = json.load(file)
            if not isinstance(value, dict):
                raise BackupError(f"{member.name}: not a JSON object")
        return value, file.sums()

    def header(self):
        member = self._next()
        if member is None or member.name != HEADER:
            raise BackupError(f"{self.path}: not a backup archive (it does not start with {HEADER})")
        self.header_data, self.pending[HEADER] = self._json(member)
        if self.header_data.get("format") != FORMAT:
            raise BackupError(f"{HEADER}: archive format {self.header_data.get('format')!r}; this code reads {FORMAT}")
        return self.header_data

    def entries(self):
        """An Entry for each data and media member; the sums and the manifest are checked on the way."""
        while True:
            member = self._next()
            if member is None:
                raise BackupError(f"the archive ends after {self.member} without its manifest: it is truncated")
            if member.name == MANIFEST:
                break
            with self.blame():
                kind, name = _member_kind(member)
                if kind == "sums":
                    self._check_sums(member)
                    continue
                entry = Entry(kind, name, _Hashing(self.tar.extractfile(member)))
            yield entry
            with self.blame():
                entry.file.drain()
            self.pending[member.name] = entry.file.sums()
            if kind == "data":
                self.pending[member.name]["objects"] = entry.objects
                self.counts[name] += entry.objects
            else:
                self.media_files, self.media_bytes = self.media_files + 1, self.media_bytes + entry.file.size
        self.manifest, _sums = self._json(member)
        if self._next() is not None:
            raise BackupError(f"{self.member}: a member after the manifest")
        with self.blame():
            self._check_manifest()

    def _check_sums(self, member):
        listed, sums = self._json(member)
        for name, found in self.pending.items():
            expected = listed.pop(name, None)
            if expected is None:
                raise BackupError(f"{name}: not listed in {member.name}")
            if (found["size"], found["sha256"]) != (expected.get("size"), expected.get("sha256")):
                raise BackupError(f"{name}: damaged: its size or sha256 differs from {member.name}'s")
            if found.get("objects") != expected.get("objects"):
                raise BackupError(f"{name}: {found['objects']} objects, {member.name} says {expected.get('objects')}")
        if listed:
            raise BackupError(f"{next(iter(listed))}: listed in {member.name}, missing from the archive")
        self.sums[member.name] = sums["sha256"]
        self.pending = {}

    def _check_manifest(self):
        if self.pending:
            raise BackupError(f"{next(iter(self.pending))}: not listed in any sums member")
        if self.manifest.get("sums") != self.sums:
            missing = sorted(set(self.manifest.get("sums", {})) - set(self.sums))
            raise BackupError(
                f"{missing[0]}: listed in the manifest, missing from the archive (truncated?)"
                if missing
                else f"{MANIFEST}: its sums members differ from the archive's"
            )
        if self.manifest.get("migrations") != self.header_data.get("migrations"):
            raise BackupError(f"{MANIFEST}: its migrations differ from {HEADER}'s")
        for label, expected in self.manifest.get("models", {}).items():
            if self.counts[label] != expected:
                raise BackupError(f"{label}: {self.counts[label]} objects in the archive, the manifest says {expected}")
        media = {"files": self.media_files, "bytes": self.media_bytes}
        if self.manifest.get("media") != media:
            raise BackupError(f"media: {media} in the archive, the manifest says {self.manifest.get('media')}")


def check(path, log=print):
    """Read the archive through, checking it whole, and report what it holds; writes nothing.

    Raises BackupError naming what is wrong; returns the manifest.
    """
    with Reader(path) as reader:
        header = reader.header()
        made_by = header.get("project") or {}
        log(
            f"made by {made_by.get('name')} {made_by.get('version')} (commit {made_by.get('commit') or 'unknown'}) "
            f"on {header.get('database')}, {header.get('created')}"
        )
        problem = migration_mismatch(header.get("migrations", []))
        log(
            f"{len(header.get('migrations', []))} migrations applied: "
            + (f"this code cannot restore it: {problem}" if problem else "the same as this code's")
        )
        for entry in reader.entries():
            if entry.kind == "data":
                with reader.blame():
                    objects = json.load(entry.file)
                    if not isinstance(objects, list):
                        raise BackupError(f"{reader.member}: not a list of objects")
                entry.objects = len(objects)
    for label, count in reader.manifest["models"].items():
        log(f"  {label}: {count}")
    log(f"  media: {reader.media_files} files, {reader.media_bytes} bytes")
    return reader.manifest


# --- restoring ----------------------------------------------------------------------------------


class _Media:
    """A restore's media files: written into a staging folder of the storage, put in place only
    when everything else has worked, removed if anything fails.

    On a local folder (FileSystemStorage) a file is put in place by a rename, which is atomic; any
    other storage (S3-compatible…) has no rename, so the staged file is copied to its name and then
    deleted: object stores show an object only once it is written whole. The staging folder is
    walked to put files in place, so no list of them is kept; the names put in place are, to take
    them back if the commit fails (about a hundred bytes a file).
    """

    def __init__(self, storage):
        self.storage, self.staging = storage, f"{STAGING}{uuid.uuid4().hex}"
        self.local = isinstance(storage, FileSystemStorage)
        self.placed, self.made_folders, self.count = [], [], 0

    def stage(self, name, file):
        staged = self.storage.save(f"{self.staging}/{name}", File(file, name=name))
        if staged != f"{self.staging}/{name}":
            raise BackupError(f"media/{name}: the storage changed its name to {staged}")
        if self.storage.exists(name):
            self.storage.delete(staged)
            if _sha256(self.storage, name) != file.sha256.hexdigest():
                raise BackupError(f"media/{name}: the site already has a different file of this name")
            return  # the same file is there already
        self.count += 1

    def place(self):
        for staged in media_names_under(self.storage, self.staging):
            name = staged.removeprefix(f"{self.staging}/")
            if self.local:
                target = Path(self.storage.path(name))
                self._make_folders(target.parent)
                os.replace(self.storage.path(staged), target)
                self.placed.append(name)
            else:
                with self.storage.open(staged, "rb") as file:
                    saved = self.storage.save(name, file)
                self.placed.append(saved)
                if saved != name:
                    raise BackupError(f"media/{name}: the storage saved it as {saved}")
                self.storage.delete(staged)
        self._remove_staging()

    def _make_folders(self, folder):
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self.made_folders.append(path)

    def discard(self):
        """Remove every file this restore wrote, and the folders it made."""
        for name in self.placed:
            with contextlib.suppress(Exception):
                self.storage.delete(name)
        for folder in reversed(self.made_folders):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._remove_staging()

    def _remove_staging(self):
        if self.local:  # a folder of this restore's own
            shutil.rmtree(self.storage.path(self.staging), ignore_errors=True)
        else:
            for staged in list(media_names_under(self.storage, self.staging)):
                with contextlib.suppress(Exception):
                    self.storage.delete(staged)


def media_names_under(storage, folder):
    with contextlib.suppress(FileNotFoundError):
        folders, files = storage.listdir(folder)
        for name in files:
            yield f"{folder}/{name}"
        for sub in folders:
            yield from media_names_under(storage, f"{folder}/{sub}")


def _sha256(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Restore:
    """Restores an archive into an empty, migrated site, all or nothing.

    The rows are loaded in one transaction and the media files staged; only when the manifest at
    the end says the archive was whole are the files put in place and the transaction committed.
    ``member`` names the member being read (for a message when interrupted). Then the caller
    rebuilds the search index (``workflow.all_articles_changed``), which the archive does not hold.
    """

    def __init__(self, path, storage=None, using=DEFAULT_DB_ALIAS):
        self.path, self.storage, self.using = path, storage or default_storage, using
        self.reader = None
        self.models = {model._meta.label_lower: model for model in kept_models()}

    @property
    def member(self):
        return self.reader.member if self.reader else None

    def run(self):
        """Returns the manifest and how many media files were put in place."""
        connection = connections[self.using]
        with Reader(self.path) as self.reader:
            header = self.reader.header()
            problem = migration_mismatch(header.get("migrations", []))
            if problem:
                raise BackupError(f"{self.path}: {problem}")
            self._check_target()
            media = _Media(self.storage)
            try:
                with transaction.atomic(using=self.using):
                    for label in MADE_BY_MIGRATIONS:
                        self.models[label]._base_manager.using(self.using).all().delete()
                    with connection.constraint_checks_disabled():
                        for entry in self.reader.entries():
                            with self.reader.blame():
                                if entry.kind == "data":
                                    entry.objects = self._load(entry.name, entry.file)
                                else:
                                    media.stage(entry.name, entry.file)
                    self._finish(connection)
                    media.place()
            except BaseException:
                media.discard()
                raise
        return self.reader.manifest, media.count

    def _check_target(self):
        pending = _unapplied(self.using)
        if pending:
            raise BackupError(f"the database is not migrated ({', '.join(pending[:3])}…): run migrate first")
        filled = [
            label
            for label, model in self.models.items()
            if label not in MADE_BY_MIGRATIONS and model._base_manager.using(self.using).exists()
        ]
        if filled:
            raise BackupError(
                f"the site is not empty ({', '.join(filled[:4])} have rows): restore only into an empty site "
                "(a new database, migrated, and an empty media storage)"
            )

    def _load(self, label, file):
        model = self.models.get(label)
        if model is None:
            raise BackupError(f"{self.member}: {label} is not a model this code keeps")
        objects = json.load(file)
        if not isinstance(objects, list):
            raise BackupError(f"{self.member}: not a list of objects")
        rows = list(PythonDeserializer(objects, using=self.using))
        for row in rows:
            if row.object._meta.label_lower != label:
                raise BackupError(f"{self.member}: holds a {row.object._meta.label_lower}, not a {label}")
        # Inserted as saved, like Model.save_base(raw=True) does, but many at a time: bulk_create
        # would give auto_now fields the time of the restore.
        fields = model._meta.local_concrete_fields
        instances = [row.object for row in rows]
        batch = connections[self.using].ops.bulk_batch_size(fields, instances) or len(instances)
        for start in range(0, len(instances), batch):
            model._base_manager._insert(instances[start : start + batch], fields=fields, using=self.using, raw=True)
        for name in {name for row in rows for name in row.m2m_data}:
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            through._base_manager.using(self.using).bulk_create(
                through(**{source: row.object.pk, target: pk}) for row in rows for pk in row.m2m_data.get(name, [])
            )
        return len(instances)

    def _finish(self, connection):
        try:
            connection.check_constraints(table_names=[model._meta.db_table for model in self.models.values()])
        except IntegrityError as exc:
            raise BackupError(f"the archive's rows do not fit together: {exc}") from exc
        # New rows get ids after the restored ones.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models.values()))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _unapplied(using):
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
