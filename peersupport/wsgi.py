import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from peersupport.postgres.stall import with_request_deadline
from peersupport.startup import limit_web_statements, refuse_to_serve_misconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")
# Before the first connection opens: statements of web requests are kept short, and so is
# the wait for a database that stopped answering.
limit_web_statements()
# granian has no request timeout: each request's database work gets a deadline here.
application = with_request_deadline(get_wsgi_application(), settings.WEB_REQUEST_SECONDS)
refuse_to_serve_misconfigured()

# Everything loaded so far lives as long as the worker. Frozen, it is left out of the
# cyclic garbage collector's full collections, each of which would otherwise scan it all
# and pause the worker (every thread, the GIL held) for tens of milliseconds.
gc.freeze()
