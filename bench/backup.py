"""Backup benchmark: peak memory and time of `backup`, `restore --check` and `restore` as the site grows.

    .venv/bin/python bench/backup.py [--sizes 1000 10000 100000] [--media /tmp/newsroom-bench-backup]

For each size it generates the site once (PostgreSQL database backup_bench_<size>, reused later),
backs it up, checks the archive, and restores it into a new, migrated database (backup_bench_restore)
with a new media folder, each command in a process of its own whose peak resident memory (VmHWM,
from wait4's ru_maxrss) is measured. It prints a table and writes it into README.md between
<!-- bench:backup --> and <!-- /bench:backup -->.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BASE_ENV, PG, PROJECT, PYTHON, database, readme_section, run  # noqa: E402


def measured(*args, env):
    """Run manage.py with ``args``; (seconds, peak resident memory in MB)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", *args], cwd=PROJECT, env={**BASE_ENV, **env}, stdout=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed ({process.returncode})")
    return time.monotonic() - started, usage.ru_maxrss / 1024  # kilobytes on Linux


def fresh_database(name):
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], check=True)


def archived_rows(archive):
    """Rows and media files in the archive, from its manifest (the last member)."""
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name == "manifest.json":
                manifest = json.load(tar.extractfile(member))
    return sum(manifest["models"].values()), manifest["media"]["files"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--media", default="/tmp/newsroom-bench-backup")
    args = parser.parse_args()
    media = Path(args.media)
    rows = []
    for size in args.sizes:
        source = database(f"backup_bench_{size}", size, media / str(size))
        archive = media / f"backup-{size}.tar.gz"
        backup_s, backup_mb = measured("backup", str(archive), env=source)
        check_s, check_mb = measured("restore", "--check", str(archive), env=source)
        target_media = media / "restored"
        shutil.rmtree(target_media, ignore_errors=True)
        fresh_database("backup_bench_restore")
        target = {"DATABASE_URL": f"{PG}/backup_bench_restore", "MEDIA_ROOT": str(target_media)}
        run(PYTHON, "manage.py", "migrate", "-v0", env=target)
        restore_s, restore_mb = measured("restore", str(archive), env=target)
        rows_kept, files = archived_rows(archive)
        row = (
            f"| {size:,} | {rows_kept:,} rows, {files} files | {archive.stat().st_size / 1e6:.1f} MB "
            f"| {backup_s:.0f} s | {backup_mb:.0f} MB | {check_s:.0f} s | {check_mb:.0f} MB "
            f"| {restore_s:.0f} s | {restore_mb:.0f} MB |"
        )
        print(row, flush=True)
        rows.append(row)
        archive.unlink()
    table = "\n".join(
        [
            "| articles | archive holds | archive size | backup | backup peak RSS | check | check peak RSS "
            "| restore | restore peak RSS |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    readme_section("backup", f"`bench/backup.py`, {time.strftime('%Y-%m-%d')}:\n\n{table}")


if __name__ == "__main__":
    main()
