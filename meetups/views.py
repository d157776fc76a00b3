# Placeholder until this module's views are written.
from django.http import HttpResponse


def detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def ics(request, *args, **kwargs):
    return HttpResponse(status=501)


def rsvp(request, *args, **kwargs):
    return HttpResponse(status=501)


def cancel(request, *args, **kwargs):
    return HttpResponse(status=501)


def attendance(request, *args, **kwargs):
    return HttpResponse(status=501)


def my_meetups(request, *args, **kwargs):
    return HttpResponse(status=501)


def calendar_feed(request, *args, **kwargs):
    return HttpResponse(status=501)
