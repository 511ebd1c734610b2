"""A WebSocket client speaking ASGI to a consumer, or to the whole application, for the live
(Channels) tests; channels.testing.WebsocketCommunicator needs daphne, which the project does
not install (it serves with uvicorn).

Use it as `async with Socket(application, scope) as socket:`. Leaving the block, even by a
failed assertion, ends the consumer: websocket.disconnect, then wait for it to stop (cancel
it if it does not). A consumer left running when async_to_sync's event loop closes is
cancelled by asyncio.run instead, and one caught inside a Redis channel-layer receive can
keep that loop, and so the test, from ever finishing.
"""
import json

from asgiref.testing import ApplicationCommunicator


def websocket_scope(path, **scope):
    return {"type": "websocket", "path": path, "headers": [], "query_string": b"",
            "subprotocols": [], **scope}


class Socket(ApplicationCommunicator):
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.disconnect()

    async def connect(self):
        """(accepted, close code)"""
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(5)
        return answer["type"] == "websocket.accept", answer.get("code")

    async def receive_json(self, timeout=5):
        return json.loads((await self.receive_output(timeout))["text"])

    async def disconnect(self):
        """Ends the consumer (once; a second call does nothing)."""
        if self._future is None or self.future.done():
            return
        await self.input_queue.put({"type": "websocket.disconnect", "code": 1000})
        await self.wait(5)
