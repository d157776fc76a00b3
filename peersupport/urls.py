from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts import staff
from meetups import home

from . import views

urlpatterns = [
    path("", home.home, name="home"),
    # Before circles' and meetups' own patterns: /circles/new/ is not a circle's slug.
    path("", include("hosting.urls")),
    path("circles/", include("circles.urls")),
    path("circles/", include("meetups.circle_urls")),
    path("meetups/", include("meetups.urls")),
    path("me/", include("accounts.my_data_urls")),
    path("me/", include("accounts.urls")),
    path("me/", include("meetups.me_urls")),
    path("me/", include("circles.me_urls")),
    # allauth.urls includes allauth.mfa's pages (/accounts/2fa/) since it is installed.
    path("accounts/", include("allauth.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("crisis/", views.crisis, name="crisis"),
    path("privacy/", views.privacy, name="privacy"),
    # The JavaScript's words in the page's language (static/js reads them with gettext()).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
    path("staff/outbox/", staff.outbox_page, name="staff_outbox"),
    path("admin/", admin.site.urls),
]

# 500, and 503 while the database is unreachable: pages that need no database.
handler500 = "peersupport.errors.server_error"
