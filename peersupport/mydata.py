# Placeholder until this module is written.
from django.http import HttpResponse


def export_data(request, *args, **kwargs):
    return HttpResponse(status=501)


def delete_account(request, *args, **kwargs):
    return HttpResponse(status=501)
