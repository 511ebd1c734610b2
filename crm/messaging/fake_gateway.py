"""A fake SMS/WhatsApp gateway: a real HTTP server on loopback, for tests and bench_notify.

It speaks the three dialects of crm.messaging.providers (generic JSON SMS,
Zenvia-style SMS, WhatsApp Cloud API), deduplicates on the idempotency key the
way the generic gateway contract requires, and can be told to misbehave:
`fail_numbers` (permanent 400 with an error), `flaky_numbers` (503 a number of
times), `throttle_next` (answer 429 to the next N requests), `delay` (seconds
before answering). Everything it receives is recorded with a monotonic timestamp.
`signed_callback` builds the delivery report a generic gateway posts back, signed the
way docs/messaging.md says (written here from the docs, not from the server's code).
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    TOKEN = "test-token"

    def __init__(self, deduplicate=True):
        self.deduplicate = deduplicate
        self.accepted = []  # [{"key", "to", "text", "at", "dialect"}]
        self.duplicates = []  # keys received again after being accepted
        self.requests = 0
        self.fail_numbers = {}  # to -> error text (HTTP 400)
        self.flaky_numbers = {}  # to -> remaining 503 answers
        self.throttle_next = 0
        self.delay = 0.0
        self._ids = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def keys(self):
        return [message["key"] for message in self.accepted]

    @staticmethod
    def signed_callback(events, secret, timestamp=None):
        """(body, headers) of a generic gateway's callback with these events: the Unix time in
        X-Malha-Timestamp, and X-Malha-Signature the HMAC-SHA256 of "<time>." + body."""
        body = json.dumps({"events": events}).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return body, {"X-Malha-Timestamp": timestamp, "X-Malha-Signature": f"sha256={digest}"}

    def _answer(self, dialect, key, to, text, authorised):
        """(status, body, headers) for one message."""
        with self._lock:
            self.requests += 1
            if not authorised:
                return 401, {"error": "invalid token"}, {}
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return 429, {"error": "too many requests"}, {"Retry-After": "0"}
            if to in self.fail_numbers:
                return 400, {"error": self.fail_numbers[to]}, {}
            if self.flaky_numbers.get(to, 0) > 0:
                self.flaky_numbers[to] -= 1
                return 503, {"error": "upstream carrier unavailable"}, {}
            if self.deduplicate and key in self._ids:
                self.duplicates.append(key)
                return 200, {"id": self._ids[key], "duplicate": True}, {}
            message_id = f"gw-{next(self._counter)}"
            self._ids[key] = message_id
            self.accepted.append(
                {"key": key, "to": to, "text": text, "at": time.monotonic(), "dialect": dialect}
            )
            return 201, {"id": message_id}, {}

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the
            # client's delayed ACK would stall every answer by ~40 ms.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                if gateway.delay:
                    time.sleep(gateway.delay)
                bearer = self.headers.get("Authorization") == f"Bearer {gateway.TOKEN}"
                if self.path.endswith("/v2/channels/sms/messages"):
                    status, body, headers = gateway._answer(
                        "zenvia", payload.get("externalId"), "+" + payload.get("to", ""),
                        payload["contents"][0]["text"],
                        self.headers.get("X-API-TOKEN") == gateway.TOKEN,
                    )
                elif self.path.endswith("/messages") and "messaging_product" in payload:
                    parameters = payload["template"]["components"][0]["parameters"]
                    status, body, headers = gateway._answer(
                        "whatsapp", payload.get("biz_opaque_callback_data"),
                        "+" + payload.get("to", ""), parameters[0]["text"], bearer,
                    )
                    if status < 300:
                        body = {"messaging_product": "whatsapp", "messages": [{"id": body["id"]}]}
                    else:
                        body = {"error": {"message": body["error"], "code": 131026}}
                else:
                    status, body, headers = gateway._answer(
                        "generic", payload.get("client_reference"), payload.get("to"),
                        payload.get("text"), bearer,
                    )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
