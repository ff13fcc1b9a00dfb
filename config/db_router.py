"""A read replica for the public pages: ``DATABASE_REPLICA_URL`` names it, this module routes to it.

With a replica configured (``settings.py`` adds the ``replica`` alias, this router and the
middleware), the archive's reads during an anonymous GET or HEAD of a public page go to the
replica; everything else goes to the primary (``default``):

* every write, wherever it comes from (the loader, the admin, an upload);
* every read outside a request (management commands, the loader: they read what they just wrote);
* every read of a POST, of the admin, or of a request that carries a session cookie (a signed-in
  curator sees what they just saved at once, never the replica's slightly older copy);
* sessions, users, permissions and login throttling: only the archive's own models (app ``cases``)
  are ever read from the replica.

A streaming replica lags the primary by the time its WAL takes to arrive (milliseconds on a
local network): a reader may see a newly published case that much later. The replica is never
migrated: it replays the primary's schema changes.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.urls import reverse

REPLICA = "replica"
PRIMARY = "default"
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
REPLICATED_APPS = frozenset({"cases"})

# Set by ReadReplicaMiddleware for the length of a request whose reads may go to the replica.
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def may_read_replica(request) -> bool:
    """An anonymous read-only request for a public page: nothing it shows depends on a write just made."""
    if request.method not in READ_ONLY_METHODS:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not request.path_info.startswith(reverse("admin:index"))


class ReadReplicaMiddleware:
    """Lets the router send the archive's reads to the replica for the requests ``may_read_replica`` allows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reading_replica.set(replica_configured() and may_read_replica(request))
        try:
            return self.get_response(request)
        finally:
            _reading_replica.reset(token)


class ReplicaRouter:
    """Reads of ``cases`` models inside a replica-allowed request go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _reading_replica.get() and model._meta.app_label in REPLICATED_APPS:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: an object read from one relates to the other's

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # a streaming replica is read-only and replays the primary's migrations
