# Placeholder until this module's views are written.
from django.http import HttpResponse


def meeting_guide_feed(request, *args, **kwargs):
    return HttpResponse(status=501)
