"""Recall and precision of search on real Chinese text, against brute-force substring truth.

The corpus is not in this repository: it is read from a git checkout of a public repository of
《新闻联播》 transcripts, one Markdown file a day since 2022 (github.com/DuckBurnIncense/xin-wen-lian-bo),
brought to this machine beforehand (for instance as a bare mirror). Each "### " item is an article;
each of the first LONG days is also one article in full (20,000-40,000 characters, as a work
report would be); every TRADITIONAL-th article is converted to traditional characters (OpenCC s2t)
to exercise the conversion. With ``--classical`` (a checkout of github.com/chinese-poetry/chinese-poetry)
poems of 全唐诗, in traditional characters as they are kept there, one article each (author and all),
fill the archive up to ``--total`` articles: real text at the scale of bench/search.py's targets.
Run it against a PostgreSQL database of its own:

    createdb -h 127.0.0.1 -U root search_real
    DATABASE_URL=postgres://root@127.0.0.1:5432/search_real .venv/bin/python bench/search_recall.py \\
        --corpus /work/.mirror/DuckBurnIncense+xin-wen-lian-bo/repo \\
        [--classical /work/.mirror/chinese-poetry+chinese-poetry/repo --total 100000]

Queries of each class are drawn from the corpus with a fixed seed. The truth for a query is the set
of articles whose text (title, author and body), folded (NFKC, lower case), converted to simplified
characters and with white space runs made one space, holds each term as a substring (a term that
begins or ends with a Latin letter or digit must not continue a longer word there); computed in
Python, article by article, without the index. The search's answer is every article the index finds.
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import in_process_environment, readme_section  # noqa: E402

in_process_environment()

LONG, TRADITIONAL = 60, 10
POEMS_A_DAY = 20
HAN = re.compile(r"[\u4e00-\u9fff]{4,}")
LETTER = r"[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"


def git_names(git_dir, tree):
    """The names of the files under ``tree`` (e.g. "HEAD:news/") in a git directory."""
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "--name-only", tree],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def git_blobs(git_dir, paths):
    """The contents (bytes) of ``paths`` ("HEAD:news/x.md"), one after another, read as they are
    asked for through one ``git cat-file --batch``."""
    with subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as batch:
        try:
            for path in paths:
                batch.stdin.write(f"{path}\n".encode())
                batch.stdin.flush()
                size = int(batch.stdout.readline().split()[2])
                yield batch.stdout.read(size + 1)[:-1]  # the content, then a newline
        finally:
            batch.stdin.close()


def read_corpus(git_dir):
    names = [name for name in git_names(git_dir, "HEAD:news/") if re.fullmatch(r"\d{8}\.md", name)]
    days = []
    for name, content in zip(names, git_blobs(git_dir, [f"HEAD:news/{name}" for name in names]), strict=True):
        day = datetime.date(int(name[0:4]), int(name[4:6]), int(name[6:8]))
        days.append((day, content.decode("utf-8", "replace")))
    return days


def articles_of(days):
    """(title, body text, date) of every item, then the long whole days."""
    found = []
    for day, content in days:
        for item in content.split("\n### ")[1:]:
            title, _, body = item.partition("\n")
            body = "\n".join(line.strip() for line in body.splitlines() if line.strip())
            if title.strip() and body:
                found.append((title.strip()[:200], body, day))
    for day, content in days[:LONG]:
        body = "\n".join(line.strip("# ").strip() for line in content.splitlines() if line.strip())
        found.append((f"《新闻联播》全文 {day}", body, day))
    return found


def read_classical(git_dir, count):
    """(title, body text, date, author) of ``count`` poems of 全唐诗 (the Tang poems, then the Song), in
    traditional characters as the repository keeps them, dated a day apart for every POEMS_A_DAY poems
    back from the day before the first transcript."""
    names = git_names(git_dir, "HEAD:全唐诗/")
    number = re.compile(r"poet\.(tang|song)\.(\d+)\.json")
    names = sorted(
        (name for name in names if number.fullmatch(name)),
        key=lambda name: (number.fullmatch(name)[1] == "song", int(number.fullmatch(name)[2])),
    )
    poems = []
    for content in git_blobs(git_dir, [f"HEAD:全唐诗/{name}" for name in names]):
        if len(poems) >= count:
            break
        for poem in json.loads(content):
            body = "\n".join(line.strip() for line in poem.get("paragraphs") or [] if line.strip())
            if poem.get("title") and body:
                poems.append((poem["title"].strip()[:200], body, poem.get("author") or ""))
    first = datetime.date(2022, 9, 23)
    return [
        (title, body, first - datetime.timedelta(days=index // POEMS_A_DAY), author)
        for index, (title, body, author) in enumerate(poems[:count])
    ]


def load(items):
    import opencc
    from django.utils import timezone

    from articles.models import Article, Section

    s2t = opencc.OpenCC("s2t")
    Article.objects.all().delete()
    section, _ = Section.objects.get_or_create(name="联播")
    rows = []
    classical, _ = Section.objects.get_or_create(name="古诗")
    for index, (title, body, day, *author) in enumerate(items):
        if not author and index % TRADITIONAL == 5:
            title, body = s2t.convert(title), s2t.convert(body)
        html = "".join(f"<p>{line}</p>" for line in body.replace("&", "&amp;").replace("<", "&lt;").splitlines())
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19)))
        rows.append(
            Article(
                title=title,
                body=html,
                section=classical if author else section,
                author=author[0] if author else "",
                status="published",
                publish_at=at,
            )
        )
    Article.objects.bulk_create(rows, batch_size=1000)


def fold(text):
    import opencc

    global _t2s
    if "_t2s" not in globals():
        _t2s = opencc.OpenCC("t2s")
    text = re.sub(r"[\x00-\x1f\x7f]", " ", unicodedata.normalize("NFKC", text).lower())
    return re.sub(r"\s+", " ", _t2s.convert(text)).strip()


def truth_regex(term):
    """A term of the query, folded, as a regex: a substring, whole at Latin/digit edges."""
    return re.compile(
        (rf"(?<!{LETTER})" if re.match(LETTER, term) else "")
        + re.escape(term)
        + (rf"(?!{LETTER})" if re.match(LETTER, term[-1]) else "")
    )


def queries(texts, rng):
    """{class: [(query as typed, [terms of the truth])]} drawn from the corpus texts."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    runs = [run for text in rng.sample(texts, 3000) for run in HAN.findall(text)]

    def piece(length):
        run = rng.choice([r for r in rng.sample(runs, 50) if len(r) >= length] or runs)
        start = rng.randrange(len(run) - length + 1)
        return run[start : start + length]

    def sampled(pattern, count):
        found = sorted({m for text in rng.sample(texts, 4000) for m in re.findall(pattern, text)})
        return rng.sample(found, min(count, len(found)))

    classes = {
        "1 character": [(q, [q]) for q in (piece(1) for _ in range(15))],
        "2 characters": [(q, [q]) for q in (piece(2) for _ in range(25))],
        "3-4 characters": [(q, [q]) for q in (piece(rng.choice([3, 4])) for _ in range(25))],
        "6-8 characters": [(q, [q]) for q in (piece(rng.choice([6, 8])) for _ in range(20))],
        "two words": [(f"{a} {b}", [a, b]) for a, b in ((piece(2), piece(2)) for _ in range(20))],
        "quoted, punctuation inside": [
            (f'"{p}"', [p]) for p in sampled(r"[\u4e00-\u9fff]{2}[、，：；][\u4e00-\u9fff]{2}", 20)
        ],
        "numbers": [(q, [q]) for q in sampled(r"\d+(?:\.\d+)?%|\d{4}年|\d+\.\d+亿", 25)],
        "Latin words": [(q, [q.lower()]) for q in sampled(r"\b[A-Za-z]{2,}[0-9]*\b|\b\d[A-Za-z]\b", 20)],
        "typed in traditional": [(s2t.convert(q), [q]) for q in (piece(rng.choice([2, 3, 4])) for _ in range(20))],
    }
    tails = [text[-300:] for text in texts if len(text) > 20_000]
    classes["beyond 16,383 characters"] = [
        (q, [q]) for q in (m[:6] for tail in tails for m in HAN.findall(tail) if len(m) >= 6)
    ][:20]
    return classes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="git directory of the transcripts repository")
    parser.add_argument("--reload", action="store_true", help="load the corpus again")
    parser.add_argument("--classical", help="git directory of github.com/chinese-poetry/chinese-poetry")
    parser.add_argument("--total", type=int, default=0, help="articles in all: poems of 全唐诗 after the transcripts")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles import search
    from articles.models import Article

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (see the docstring).")
    call_command("migrate", verbosity=0)
    days = read_corpus(args.corpus)
    items = articles_of(days)
    poems = read_classical(args.classical, args.total - len(items)) if args.classical else []
    items += poems
    if args.reload or Article.objects.count() != len(items):
        print(f"loading {len(items)} articles from {len(days)} days…", flush=True)
        load(items)
        start = time.perf_counter()
        call_command("rebuild_search_index", "--batch=500", stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"  indexed in {time.perf_counter() - start:.0f} s", flush=True)
    rows = list(Article.objects.values_list("pk", "title", "body", "author"))
    texts = {pk: fold(f"{title}\n{author}\n{search.plain_text(body)}") for pk, title, body, author in rows}
    characters = sum(len(title) + len(search.plain_text(body)) for _pk, title, body, _author in rows)
    rng = random.Random(16)
    drawn = queries([search.plain_text(body) for _pk, _t, body, _a in rows], rng)

    results, lines = [], []
    for label, class_queries in drawn.items():
        truth_total = found_total = right_total = 0
        worst = []
        for typed, terms in class_queries:
            patterns = [truth_regex(fold(term)) for term in terms]
            truth = {pk for pk, text in texts.items() if all(p.search(text) for p in patterns)}
            query = search.parse(typed)
            with search.through_gin_indexes():
                found = set(Article.objects.filter(search_entry__document__matches=query).values_list("pk", flat=True))
            right = len(truth & found)
            truth_total, found_total, right_total = (
                truth_total + len(truth),
                found_total + len(found),
                right_total + right,
            )
            if truth != found:
                worst.append(f"{typed}: {len(truth)} true, {len(found)} found, {right} both")
        recall = right_total / truth_total if truth_total else 1.0
        precision = right_total / found_total if found_total else 1.0
        results.append((label, len(class_queries), truth_total, recall, precision))
        print(
            f"  {label:28} {len(class_queries):3} queries, {truth_total:6} true hits: recall {recall:.4f}, "
            f"precision {precision:.4f}" + (f"   differs: {'; '.join(worst[:3])}" if worst else ""),
            flush=True,
        )
    queries_total = sum(r[1] for r in results)
    lines = [
        f"Recall and precision on {len(rows):,} articles of real text ({characters / 1e6:.1f} million characters:"
        f" the 《新闻联播》 transcripts of {len(days):,} days, {days[0][0]}–{days[-1][0]}, from"
        f" github.com/DuckBurnIncense/xin-wen-lian-bo, one article per item, {LONG} whole days as long"
        f" articles, every {TRADITIONAL}th article converted to traditional characters"
        + (
            f"; and {len(poems):,} poems of 全唐诗 in traditional characters, from"
            " github.com/chinese-poetry/chinese-poetry, one article per poem"
            if poems
            else ""
        )
        + f"), {queries_total} queries"
        " drawn from the text, against brute-force substring truth (`bench/search_recall.py`):",
        "",
        "| query class | queries | true hits | recall | precision |",
        "|---|---|---|---|---|",
        *[
            f"| {label} | {n} | {truth:,} | {recall:.4f} | {precision:.4f} |"
            for label, n, truth, recall, precision in results
        ],
    ]
    print("\n".join(lines))
    if not args.no_readme:
        readme_section("search-recall", "\n".join(lines))


if __name__ == "__main__":
    main()
