"""Authentication backends: the login throttle in front of Django's own."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come through a web request.

    Axes refuses any ``authenticate()`` without a request; logins without one (Django's test
    client, a shell) have no address to count and are not what throttling guards against, so
    they are passed on to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
