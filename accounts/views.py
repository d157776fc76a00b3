# Placeholder until this module's views are written.
from django.http import HttpResponse


def settings_page(request, *args, **kwargs):
    return HttpResponse(status=501)
