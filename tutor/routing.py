"""WebSocket routes. The practice page's grade push and the teaching-assistant chat
register here as they land."""

websocket_urlpatterns: list = []
