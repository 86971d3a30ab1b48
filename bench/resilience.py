"""PostgreSQL restarted under load: readers get 503 pages while it is down, never a 500 or a
traceback, and the site recovers by itself (no gunicorn restart).

    .venv/bin/python bench/resilience.py [--size 1000] [--down 10]

Stops the machine's PostgreSQL cluster for --down seconds: run it when nothing else needs the
database.
"""

import argparse
import collections
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database, gunicorn  # noqa: E402

CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect"]


def pg(action):
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run([*CLUSTER, version, "main", action], check=True)


def load(url, stop, log):
    while not stop.is_set():
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:
            status, body = type(error).__name__, b""
        log.append((started, status, b"Traceback" in body))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--down", type=int, default=10)
    parser.add_argument("--media", default="/tmp/newsroom-bench-media")
    args = parser.parse_args()
    env = database(f"bench_{args.size}", args.size, Path(args.media) / str(args.size))
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}, workers=3) as (url, _master):
        stop, log = threading.Event(), []
        threads = [threading.Thread(target=load, args=(url + path, stop, log)) for path in ["/", "/healthz"] * 4]
        for thread in threads:
            thread.start()
        time.sleep(5)
        down_at = time.monotonic()
        pg("stop")
        time.sleep(args.down)
        pg("start")
        up_at = time.monotonic()
        time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join()
    phases = {"before": collections.Counter(), "down": collections.Counter(), "after": collections.Counter()}
    tracebacks = 0
    for started, status, traceback in log:
        phase = "before" if started < down_at else "down" if started < up_at else "after"
        phases[phase][status] += 1
        tracebacks += traceback
    for phase, counts in phases.items():
        print(f"{phase:>6}: {dict(counts)}")
    recovered = [s for t, s, _ in log if t > up_at + 3]
    ok = (
        tracebacks == 0
        and 500 not in phases["down"]
        and 500 not in phases["after"]
        and phases["down"][503] > 0
        and recovered
        and all(status == 200 for status in recovered)
    )
    print(
        f"tracebacks: {tracebacks}; recovered without restart: {bool(recovered) and all(s == 200 for s in recovered)}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
