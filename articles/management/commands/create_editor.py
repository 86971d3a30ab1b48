"""Create a newsroom account: a staff user (never a superuser) in one role, and where to log in.

    python manage.py create_editor 王编辑 --role 编辑 [--email wang@example.com] [--site-url https://…]

The roles are the groups made by the migrations (编辑 editor, 撰稿 contributor, and any added
since). At a terminal the password is asked for (empty: one is made up); otherwise one is made up.
A made-up password is printed once, here, and nowhere else.
"""

import getpass
import secrets
import sys

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def made_up_password(length=16):
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(length // 4))


class Command(BaseCommand):
    help = "Create a staff account in one of the newsroom's roles (a group), and print where to log in."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the login name (Chinese is fine)")
        parser.add_argument("--role", required=True, help="the role: the name of a group, such as 编辑 or 撰稿")
        parser.add_argument("--email", default="", help="for resetting a forgotten password")
        parser.add_argument(
            "--site-url",
            help="the site's address, to print the admin's (default: SITE_URL; make editor gives make run's)",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="make up the password without asking",
        )

    def handle(self, *args, username, role, email, site_url, interactive=True, **options):
        User = get_user_model()
        group = Group.objects.filter(name=role).first()
        if group is None:
            roles = "、".join(Group.objects.order_by("name").values_list("name", flat=True)) or _("none yet")
            raise CommandError(_("There is no role “%(role)s”. Roles: %(roles)s.") % {"role": role, "roles": roles})
        if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(
                _("The account “%(name)s” exists already: change its role or password in the admin.")
                % {"name": username}
            )
        user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True, is_superuser=False)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        password = self.ask_password(user) if interactive and sys.stdin.isatty() else ""
        made_up = not password
        if made_up:
            password = made_up_password()
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)

        self.stdout.write(_("Created “%(name)s” in the role %(role)s.") % {"name": username, "role": role})
        if made_up:
            self.stdout.write(_("Password (shown only this once): %(password)s") % {"password": password})
        self.stdout.write(
            _("Log in at %(url)s") % {"url": (site_url or settings.SITE_URL).rstrip("/") + reverse("admin:index")}
        )

    def ask_password(self, user):
        """A password typed twice and accepted by the validators, or "" to have one made up."""
        while True:
            password = getpass.getpass(_("Password (press Enter to have one made up): "))
            if not password:
                return ""
            if getpass.getpass(_("Password again: ")) != password:
                self.stderr.write(_("The two passwords differ. Try again."))
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return password
