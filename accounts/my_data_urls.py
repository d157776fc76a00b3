"""The download and delete pages, under /me/ beside accounts.urls. They keep the URL
names they always had (`export_data`, `delete_account`, reversed by templates and tests),
so they sit outside the `accounts:` namespace of accounts.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("export.json", views.export_data, name="export_data"),
    path("delete/", views.delete_account, name="delete_account"),
]
