# Placeholder until this module's views are written.
from django.http import HttpResponse


def home(request, *args, **kwargs):
    return HttpResponse(status=501)


def browse(request, *args, **kwargs):
    return HttpResponse(status=501)


def detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def join(request, *args, **kwargs):
    return HttpResponse(status=501)


def leave(request, *args, **kwargs):
    return HttpResponse(status=501)
