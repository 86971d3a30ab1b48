"""Versions per scope instead of one content version, and where each article is shown
(``articles.versions``, ``articles.scopes``)."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def article_scopes(apps, schema_editor):
    """Where each article is shown, as ``articles.scopes.shown_under`` says (a copy of its rule, as
    migrations must not import code that may change)."""
    Article = apps.get_model("articles", "Article")
    ArticleUnit = apps.get_model("articles", "ArticleUnit")
    ArticleScopes = apps.get_model("articles", "ArticleScopes")
    ContentType = apps.get_model("contenttypes", "ContentType")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    shown = Article.objects.filter(status="published", deleted_at__isnull=True)
    pks = list(shown.order_by("pk").values_list("pk", flat=True))
    article_type = ContentType.objects.filter(app_label="articles", model="article").first()
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        scopes = {
            pk: ["articles", f"article:{pk}", f"section:{section}"] + ([f"column:{column}"] if column else [])
            for pk, section, column in shown.filter(pk__in=batch).values_list("pk", "section_id", "column_id")
        }
        for article, unit in ArticleUnit.objects.filter(article__in=batch).values_list("article_id", "unit_id"):
            scopes[article].append(f"unit:{unit}")
        if article_type is not None:
            tagged = TaggedItem.objects.filter(content_type=article_type, object_id__in=batch)
            for article, tag in tagged.values_list("object_id", "tag_id"):
                scopes[article].append(f"tag:{tag}")
        positions = dict(shown.filter(pk__in=batch).values_list("pk", "publish_at"))
        ArticleScopes.objects.bulk_create(
            ArticleScopes(article_id=pk, scopes=" ".join(names), position=positions[pk]) for pk, names in scopes.items()
        )


def one_version(apps, schema_editor):
    """Backwards: the one content version there was, the row of "changes"."""
    ContentVersion = apps.get_model("articles", "ContentVersion")
    ContentVersion.objects.exclude(scope="changes").delete()
    ContentVersion.objects.filter(scope="changes").update(id=1)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_reviewer_role"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="contentversion", name="content_version_singleton"),
        # The one version there was counts every change: the scope "changes".
        migrations.AddField(
            model_name="contentversion",
            name="scope",
            field=models.CharField(default="changes", max_length=100, unique=True),
            preserve_default=False,
        ),
        migrations.RunPython(migrations.RunPython.noop, one_version),
        migrations.AlterField(model_name="contentversion", name="value", field=models.BigIntegerField()),
        migrations.CreateModel(
            name="ArticleScopes",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("scopes", models.TextField(blank=True, help_text="Scope names, separated by spaces.")),
                (
                    "position",
                    models.DateTimeField(help_text="Its publish time while published, for its neighbours.", null=True),
                ),
            ],
            options={"verbose_name": "article scopes", "verbose_name_plural": "article scopes"},
        ),
        migrations.RunPython(article_scopes, migrations.RunPython.noop),
    ]
