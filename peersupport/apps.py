from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, with `admin.site` made from our site class (what every app's admin.py
    registers on): signed in through allauth, for staff with two-step sign-in."""

    default_site = "peersupport.admin_site.StaffAdminSite"
