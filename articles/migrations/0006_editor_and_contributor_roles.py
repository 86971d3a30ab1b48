"""The two roles of the newsroom as groups: 编辑 (editor) publishes, 撰稿 (contributor) writes drafts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR, CONTRIBUTOR = "编辑", "撰稿"

ARTICLE_PARTS = ["article", "articleimage", "articleunit"]

EDITOR_PERMISSIONS = {
    "articles": [f"{action}_{model}" for model in ARTICLE_PARTS for action in ("add", "change", "delete", "view")]
    + [f"{action}_{model}" for model in ("unit", "section", "column", "copyrightnotice", "promoblock")
       for action in ("add", "change", "delete", "view")]
    + ["publish_article", "merge_unit", "change_sitesettings", "view_sitesettings", "view_trashedarticle"],
    "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
}
CONTRIBUTOR_PERMISSIONS = {
    "articles": ["add_article", "change_article", "view_article"]
    + [f"{action}_{model}" for model in ("articleimage", "articleunit") for action in ("add", "change", "delete", "view")]
    + ["add_unit", "view_unit", "view_section", "view_column", "view_copyrightnotice", "view_promoblock"],
    "taggit": ["add_tag", "view_tag"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in [(EDITOR, EDITOR_PERMISSIONS), (CONTRIBUTOR, CONTRIBUTOR_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in wanted.items():
            permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"permissions missing for the {name} role: {sorted(missing)}")
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, CONTRIBUTOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_trash_permissions_revisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
