"""WebSocket routes of every app, collected in one place for the ASGI router."""

websocket_urlpatterns = []
