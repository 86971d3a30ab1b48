"""Generate many realistic articles for benchmarks and load tests.

The text is recombined from the sentences of the demo pages, with names of places, companies and
projects swapped in, so that the vocabulary, sentence length and character frequencies are those of
real newsroom copy. Deterministic for a given --seed.
"""

import datetime
import random
import re
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from PIL import Image
from taggit.models import Tag, TaggedItem

from articles import planner, rendering, scopes, versions
from articles.models import Article, ArticleImage, ArticleUnit, Column, Section, Unit

DEMO = Path(settings.BASE_DIR) / "demo"
SECTIONS = ["协会", "要闻", "党建", "改革", "地方国企", "央企动态"]
COLUMNS = ["党建好故事", "国企改革", "创新驱动", "基层风采", "一线报道", "人物专访", "乡村振兴", "绿色发展"]
PLACES = [
    "浙江",
    "杭州",
    "宁波",
    "温州",
    "绍兴",
    "湖州",
    "嘉兴",
    "金华",
    "台州",
    "丽水",
    "北京",
    "上海",
    "江苏",
    "安徽",
]
KINDS = ["建设集团", "交通投资集团", "能源集团", "医学院", "住建局", "水务集团", "港务集团", "机场集团", "数字科技公司"]
TAGS = [
    "党建",
    "智能建造",
    "国企改革",
    "支部共建",
    "党员突击队",
    "乡村振兴",
    "绿色发展",
    "数字化转型",
    "安全生产",
    "清廉工地",
    "科技创新",
    "人才培养",
    "高质量发展",
    "共同富裕",
    "5G",
    "AI",
    "新能源",
    "城市更新",
    "民生工程",
]
EXTRA_SENTENCES = [
    "会上，与会代表围绕党建引领高质量发展进行了深入交流。",
    "该项目总投资约{n}亿元，计划于{y}年底竣工投用。",
    "据悉，今年以来集团累计完成投资{n}亿元，同比增长{p}%。",
    "下一步，{unit}将持续深化改革，推动企业高质量发展。",
    "{place}国资委有关负责人出席活动并讲话。",
    "活动现场，{unit}与{unit2}签署了战略合作协议。",
    "{unit}党委书记表示，要把党建优势转化为发展优势。",
]


def demo_sentences():
    sentences = []
    for path in sorted(DEMO.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 40 or line.startswith(("【", "•", "IMG_")):
                continue
            sentences.extend(s for s in re.split(r"(?<=[。！？!])", line) if len(s) > 8)
    return sentences


class Command(BaseCommand):
    help = "Generate N realistic published articles (plus a few drafts and scheduled ones) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--units", type=int, default=600, help="size of the pool of participating units")

    def handle(self, *args, count, seed, batch, units, **options):
        rng = random.Random(seed)
        self.sentences = demo_sentences()
        sections = [
            Section.objects.get_or_create(name=name, defaults={"order": i})[0] for i, name in enumerate(SECTIONS)
        ]
        columns = [Column.objects.get_or_create(name=name)[0] for name in COLUMNS]
        # Units and image files have their own generators: the articles stay the same whatever exists.
        pool = self.unit_pool(random.Random(f"units-{seed}"), units)
        tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name.lower()})[0] for name in TAGS]
        image_names = self.image_files(random.Random(f"images-{seed}"))
        start = Article.objects.count()
        now = timezone.now()
        made = 0
        while made < count:
            size = min(batch, count - made)
            with transaction.atomic():
                self.make_batch(rng, size, start + made, now, sections, columns, pool, tags, image_names)
            made += size
            self.stdout.write(f"{made}/{count}")
        planner.analyse()  # fresh statistics, or the planner misjudges bulk-loaded tables
        scopes.rebuild()
        versions.site_changed()
        self.stdout.write(self.style.SUCCESS(f"{count} articles generated"))

    def unit_pool(self, rng, size):
        existing = list(Unit.objects.all()[:size])
        names = {unit.name for unit in existing}
        new = []
        while len(existing) + len(new) < size:
            name = f"{rng.choice(PLACES)}{rng.choice('一二三四五六七八九')}{rng.choice(KINDS)}"
            if name not in names:
                names.add(name)
                new.append(Unit(name=name, kind=Unit.Kind.ENTERPRISE))
        Unit.objects.bulk_create(new)
        return list(Unit.objects.all()[:size])

    def image_files(self, rng):
        """A handful of real JPEG files that the generated image rows share."""
        names = []
        for i in range(4):
            name = f"generated/bench-{i}.jpg"
            if not default_storage.exists(name):
                buffer = BytesIO()
                colour = tuple(rng.randrange(256) for _ in range(3))
                Image.new("RGB", (1200, 800), colour).save(buffer, "JPEG", quality=80)
                name = default_storage.save(name, ContentFile(buffer.getvalue()))
            names.append(name)
        return names

    def paragraph(self, rng, pool):
        text = "".join(rng.choice(self.sentences) for _ in range(rng.randint(2, 5)))
        extra = rng.choice(EXTRA_SENTENCES).format(
            n=rng.randint(2, 90),
            y=rng.randint(2025, 2030),
            p=rng.randint(3, 40),
            unit=rng.choice(pool).name,
            unit2=rng.choice(pool).name,
            place=rng.choice(PLACES),
        )
        return text + extra

    def make_batch(self, rng, size, offset, now, sections, columns, pool, tags, image_names):
        articles = []
        for i in range(size):
            paragraphs = [self.paragraph(rng, pool) for _ in range(rng.randint(4, 9))]
            place = rng.choice(PLACES)
            roll = rng.random()
            status, publish_at = (
                Article.Status.PUBLISHED,
                now - datetime.timedelta(minutes=rng.randint(10, 5 * 365 * 24 * 60)),
            )
            if roll < 0.01:
                status, publish_at = Article.Status.DRAFT, None
            elif roll < 0.02:
                publish_at = now + datetime.timedelta(days=rng.randint(1, 30))
            title_words = rng.sample(TAGS, 2)
            articles.append(
                Article(
                    title=f"{place}{title_words[0]}引领{title_words[1]} 第{offset + i + 1}期",
                    subtitle=rng.choice(self.sentences)[:60].rstrip("。，,"),
                    section=rng.choice(sections),
                    column=rng.choice(columns + [None]),
                    source=f"《国企》杂志融媒{place}讯",
                    author=rng.choice(["江风", "张三", "李四", "王敏", "陈思远"]),
                    editor=rng.choice(["王编辑", "刘编辑"]),
                    summary=paragraphs[0][:110],
                    body="\n".join(f"<p>{escape(p)}</p>" for p in paragraphs),
                    status=status,
                    publish_at=publish_at,
                )
            )
        articles = Article.objects.bulk_create(articles)
        links, images, tagged = [], [], []
        for article in articles:
            for order, unit in enumerate(rng.sample(pool, rng.randint(0, 4))):
                links.append(ArticleUnit(article=article, unit=unit, order=order))
            for order in range(rng.choice([0, 1, 1, 2])):
                caption = rng.choice(self.sentences)[:30].rstrip("。，,")
                images.append(
                    ArticleImage(
                        article=article,
                        image=rng.choice(image_names),
                        caption=caption,
                        alt_text=caption,
                        order=order,
                        position=order * 2 + 1,
                    )
                )
            for tag in rng.sample(tags, rng.randint(1, 4)):
                tagged.append(TaggedItem(tag=tag, content_object=article))
        ArticleUnit.objects.bulk_create(links)
        ArticleImage.objects.bulk_create(images)
        TaggedItem.objects.bulk_create(tagged)
        rendering.store_many(Article.objects.filter(pk__in=[article.pk for article in articles]))
