"""One ASGI application for HTTP and WebSocket (Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from modeling import api as modeling_api  # noqa: E402
from tutor.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

if settings.CELERY_TASK_ALWAYS_EAGER and settings.GRADER_IN_PROCESS == "background":
    # The embedded default grades in this process: load the model now, in the background,
    # not when the first free-text answer arrives.
    modeling_api.grader_warm_up_in_background()
