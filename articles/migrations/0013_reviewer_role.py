"""The 审核 (reviewer) role, for review levels: reviewers do the first and second reviews (初审, 复审).

Editors (编辑) may do them too and keep the final review (终审: publishing); editors keep the list of
flagged words, which everyone else may read.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER = "审核"
EDITOR, CONTRIBUTOR = "编辑", "撰稿"

CONTRIBUTOR_PERMISSIONS = ["view_flaggedword"]
EDITOR_PERMISSIONS = ["review_article"] + [f"{a}_flaggedword" for a in ("add", "change", "delete", "view")]
REVIEWER_PERMISSIONS = (
    ["change_article", "view_article", "review_article", "view_flaggedword"]
    + [f"{action}_{model}" for model in ("articleimage", "articleunit") for action in ("add", "change", "delete", "view")]
    + ["add_unit", "view_unit", "view_section", "view_column", "view_copyrightnotice", "view_promoblock"]
)
TAG_PERMISSIONS = ["add_tag", "view_tag"]


def create_reviewer_role(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def grant(group, app_label, codenames):
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for the {group.name} role: {sorted(missing)}")
        group.permissions.add(*permissions)

    reviewer, _ = Group.objects.get_or_create(name=REVIEWER)
    grant(reviewer, "articles", REVIEWER_PERMISSIONS)
    grant(reviewer, "taggit", TAG_PERMISSIONS)
    for name, codenames in [(EDITOR, EDITOR_PERMISSIONS), (CONTRIBUTOR, CONTRIBUTOR_PERMISSIONS)]:
        group = Group.objects.filter(name=name).first()
        if group is not None:
            grant(group, "articles", codenames)


def remove_reviewer_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_review_levels_flagged_words_merged_addresses"),
        ("articles", "0006_editor_and_contributor_roles"),
    ]

    operations = [migrations.RunPython(create_reviewer_role, remove_reviewer_role)]
