from django.db import migrations


def create_site_settings(apps, schema_editor):
    apps.get_model("articles", "SiteSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_site_settings, migrations.RunPython.noop)]
