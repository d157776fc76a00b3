import os

from django.core.asgi import get_asgi_application

from peersupport.startup import limit_web_statements, refuse_to_serve_misconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")
# Before the first connection opens: statements of web requests are kept short.
limit_web_statements()
application = get_asgi_application()
refuse_to_serve_misconfigured()
