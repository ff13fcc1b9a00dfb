import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from cases.search import warm_up  # noqa: E402 (needs the apps, which get_wsgi_application set up)

warm_up()  # each worker loads the dictionaries as it starts: no reader's first search waits 1.5 s for them
