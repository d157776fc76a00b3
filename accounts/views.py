# Placeholder until this module's views are written.
from django.http import HttpResponse


def settings_page(request, *args, **kwargs):
    return HttpResponse(status=501)


def export_data(request, *args, **kwargs):
    return HttpResponse(status=501)


def delete_account(request, *args, **kwargs):
    return HttpResponse(status=501)


def unsubscribe(request, *args, **kwargs):
    return HttpResponse(status=501)
