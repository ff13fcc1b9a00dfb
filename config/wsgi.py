import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.worker import prepare  # noqa: E402 (needs the apps, which get_wsgi_application set up)

prepare()  # dictionaries loaded and start-up's objects frozen before the first request
