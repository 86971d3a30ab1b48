"""The two roles of the newsroom as groups: 编辑 (editor) publishes, 撰稿 (contributor) writes drafts."""

from articles.migrations._roles import grant, make_permissions, makes_roles
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


@makes_roles
def create_roles(apps, schema_editor):
    make_permissions(apps)
    for name, wanted in [(EDITOR, EDITOR_PERMISSIONS), (CONTRIBUTOR, CONTRIBUTOR_PERMISSIONS)]:
        for app_label, codenames in wanted.items():
            grant(apps, {name: codenames}, app_label, create=True)


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
