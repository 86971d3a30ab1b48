from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the site of newsroom/adminsite.py (a throttled password change)."""

    default_site = "newsroom.adminsite.AdminSite"
