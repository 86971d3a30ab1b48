# A tag named with punctuation or emoji alone ("..", "——", "🔥") was saved with an empty slug (taggit's
# slugify leaves nothing of it), and every page linking to the tag, its article's page and the tag
# sitemap among them, failed with a 500. Such tags get the slug tag-<id>; the article form refuses
# such names now (forms.TagNamesField).

from django.db import migrations


def give_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.filter(slug=""):
        slug, n = f"tag-{tag.pk}", 1
        while Tag.objects.filter(slug=slug).exists():
            slug, n = f"tag-{tag.pk}-{n}", n + 1
        Tag.objects.filter(pk=tag.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0026_search_entry_publish_time"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(give_slugs, migrations.RunPython.noop, elidable=False)]
