"""The admin site: Django's, except that a wrong old password in the password change counts as a
failed login (django-axes), so the form cannot be used to guess a logged-in editor's password, and
that an add form leaves out a value of its query string that is none of its field's."""

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.urls import reverse


class ThrottledPasswordChangeForm(AdminPasswordChangeForm):
    """Checks the old password through ``authenticate()``, where django-axes counts each failure for
    the user and the client's address and refuses everything once they are locked out."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class InitialFromQuery:
    """Add forms take initial values from the query string (``?article=42``: links from other forms
    and ones editors keep). Django hands any value to the widgets, and one that is none of the
    field's (``?unit=abc``, a date that is no date) made them fail: a 500. Such a value is left out,
    as if it had not been given; the form opens as it would without it."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {name: value for name, value in initial.items() if self._fits(name, value)}

    def _fits(self, name, value):
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return True  # a form's own field: its code reads it
        if field.many_to_many:
            field = field.related_model._meta.pk
        elif field.is_relation:
            if not field.concrete:
                return False  # a relation from another model: no field of this form
            field = field.target_field
        try:
            for item in value if isinstance(value, list) else [value]:
                field.run_validators(field.to_python(item))
        except ValidationError:
            return False
        return True


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin, the project's and its dependencies', reads its query string the same way.
        admin_class = admin_class or admin.ModelAdmin
        safe = type(admin_class.__name__, (InitialFromQuery, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, safe, **options)

    def password_change(self, request, extra_context=None):
        # As Django's, with the view above.
        request.current_app = self.name
        return ThrottledPasswordChangeView.as_view(
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)
