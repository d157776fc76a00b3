import os

from django.core.asgi import get_asgi_application

from peersupport.startup import refuse_to_serve_misconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")
application = get_asgi_application()
refuse_to_serve_misconfigured()
