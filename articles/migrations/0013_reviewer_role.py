"""The 审核 (reviewer) role, for review levels: reviewers do the first and second reviews (初审, 复审).

Editors (编辑) may do them too and keep the final review (终审: publishing); editors keep the list of
flagged words, which everyone else may read.
"""

from articles.migrations._roles import grant, make_permissions, makes_roles
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


@makes_roles
def create_reviewer_role(apps, schema_editor):
    make_permissions(apps)
    grant(apps, {REVIEWER: REVIEWER_PERMISSIONS}, create=True)
    grant(apps, {REVIEWER: TAG_PERMISSIONS}, "taggit")
    grant(apps, {EDITOR: EDITOR_PERMISSIONS, CONTRIBUTOR: CONTRIBUTOR_PERMISSIONS})


def remove_reviewer_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_review_levels_flagged_words_merged_addresses"),
        ("articles", "0006_editor_and_contributor_roles"),
    ]

    operations = [migrations.RunPython(create_reviewer_role, remove_reviewer_role)]
