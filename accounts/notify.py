# Placeholder until this module is written.
from django.http import HttpResponse


def unsubscribe(request, *args, **kwargs):
    return HttpResponse(status=501)
