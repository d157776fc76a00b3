import gc
import os

from django.core.wsgi import get_wsgi_application

from peersupport.startup import limit_web_statements, refuse_to_serve_misconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")
# Before the first connection opens: statements of web requests are kept short.
limit_web_statements()
application = get_wsgi_application()
refuse_to_serve_misconfigured()

# Everything loaded so far lives as long as the worker. Frozen, it is left out of the
# cyclic garbage collector's full collections, each of which would otherwise scan it all
# and pause the worker (every thread, the GIL held) for tens of milliseconds.
gc.freeze()
