"""A database that cannot be reached is an outage, not a bug: a 503 page with Retry-After, in Chinese.

Django's OperationalError (connection refused, server gone, SQLite "database is locked" past its
timeout) and InterfaceError (a connection already closed) are what the database raises while it
is down or restarting; a 500 would tell the reader, the proxy and the monitor that the site is
broken, where a 503 says "come back shortly" and a crawler or client honours Retry-After.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.error("database unavailable on %s: %s", request.path, exception)
        retry_after = settings.DATABASE_RETRY_AFTER_SECONDS
        # No request context: a context processor (the user, the messages) would ask the database again.
        html = render_to_string("503.html", {"retry_after": retry_after})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(retry_after)
        return response
