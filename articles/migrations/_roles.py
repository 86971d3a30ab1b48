"""What the migrations that make and grant the newsroom's roles share.

The migration loader skips modules whose names start with "_", so this is no migration. The test
suite runs the same functions again after a transactional test empties the database
(``tests.conftest.make_roles``): every function here must work on the project's own app registry as
well as on a migration's, and leave either as it was.
"""

from django.contrib.auth.management import create_permissions


def makes_roles(function):
    """Marks a migration's function as one that makes or grants roles (tests run them again)."""
    function.makes_roles = True
    return function


def make_permissions(apps):
    """Permissions are normally made after all migrations (post_migrate); the roles need them now.

    ``create_permissions`` skips an app without a models module, which every app of a migration's
    registry is; each app is marked as having one while its permissions are made, then put back as
    it was (on the project's own registry a models module left as None would stop ``flush`` and
    ``migrate`` from ever making that app's content types and permissions again)."""
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)  # a migration's AppConfigStub has none
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def grant(apps, grants, app_label="articles", create=False):
    """Gives each named group (``{name: [codename, …]}``) those permissions of ``app_label``.

    A group is made if ``create``, and otherwise skipped when it does not exist (an operator may have
    deleted a role). A permission that does not exist is an error, not a silent gap in a role."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in grants.items():
        group = Group.objects.get_or_create(name=name)[0] if create else Group.objects.filter(name=name).first()
        if group is None:
            continue
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for the {name} role: {sorted(missing)}")
        group.permissions.add(*permissions)
