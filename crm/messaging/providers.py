"""One interface for every way a message leaves Malha.

A provider sends one `OutgoingMessage` and returns the provider's message id,
or raises `TemporaryFailure` (try again later: timeouts, 429, 5xx, SMTP 4xx) or
`PermanentFailure` (never retried: invalid number, SMTP 5xx, 4xx from a gateway).

Every message carries its delivery's idempotency key:
  * generic JSON SMS gateway: `client_reference`; the gateway contract requires
    it to deduplicate (a repeated reference answers with the first message id);
  * Zenvia-style SMS API: `externalId`; echoed in callbacks, deduplication is
    not promised by such APIs, so a resend after a crash may reach the phone twice;
  * WhatsApp Cloud API: `biz_opaque_callback_data`; echoed in callbacks, not
    deduplicated by the API;
  * SMTP: the Message-ID header; SMTP servers do not deduplicate, mail clients
    and archives group by Message-ID.
The only unclosed window for the non-deduplicating ones is a worker killed
between the provider accepting a message and our database commit: one message
per killed worker process at most.
"""

import http.client
import json
import smtplib
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext_lazy as _

from .choices import Channel
from .ratelimit import RateLimiter


@dataclass
class OutgoingMessage:
    idempotency_key: str
    to: str  # E.164 phone or e-mail address
    body: str
    subject: str = ""
    headers: dict = field(default_factory=dict)


class TemporaryFailure(Exception):
    def __init__(self, error, retry_after=None):
        super().__init__(error)
        self.error, self.retry_after = error, retry_after


class PermanentFailure(Exception):
    def __init__(self, error):
        super().__init__(error)
        self.error = error


class Provider:
    """Base: a named sender for one channel with its own rate limits."""

    channel = None
    deduplicates = False

    def __init__(self, name, config):
        self.name, self.config = name, config
        rate = config.get("rate", {})
        self.rate_limiter = RateLimiter(
            name, rate.get("per_second", 0), rate.get("per_hour", 0), rate.get("per_day", 0)
        )

    def open(self):
        """Open a connection reused for a batch of messages."""

    def close(self):
        pass

    def send(self, message):
        raise NotImplementedError

    def parse_callback(self, payload):
        """(status events, inbound messages) from a webhook body; see crm.messaging.services.

        Status events are (event id, idempotency key, status, error), inbound messages
        (event id, phone, text); the event id is the provider's own, "" when it has none
        (then the signed timestamp guards against replays)."""
        raise PermanentFailure("This provider sends no callbacks.")


class SmtpEmail(Provider):
    """E-mail through Django's SMTP backend, one connection per batch."""

    channel = Channel.EMAIL

    def open(self):
        self.connection = get_connection(fail_silently=False, timeout=settings.MESSAGING_HTTP_TIMEOUT)
        self.connection.open()

    def close(self):
        self.connection.close()

    def send(self, message):
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
        message_id = f"<{message.idempotency_key}@{domain}>"
        email = EmailMessage(
            message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to],
            headers={"Message-ID": message_id, **message.headers},
        )
        try:
            self.connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            self._raise_for_code(code, text)
        except smtplib.SMTPResponseException as error:
            self._raise_for_code(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            self.connection.close()
            raise TemporaryFailure(f"SMTP: {error}") from None
        return message_id

    def _raise_for_code(self, code, text):
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        if 400 <= code < 500:
            self.connection.close()
            raise TemporaryFailure(f"SMTP {code} {text}")
        raise PermanentFailure(f"SMTP {code} {text}")


class JsonHttpProvider(Provider):
    """A JSON-over-HTTP API on one keep-alive connection per batch."""

    def open(self):
        parts = urlsplit(self.config["base_url"])
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self.base_path = parts.path.rstrip("/")
        self.http = connection_class(parts.netloc, timeout=settings.MESSAGING_HTTP_TIMEOUT)

    def close(self):
        self.http.close()

    def post(self, path, payload, headers):
        body = json.dumps(payload).encode()
        try:
            self.http.request(
                "POST", self.base_path + path, body,
                {"Content-Type": "application/json", "Accept": "application/json", **headers},
            )
            response = self.http.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException, socket.timeout) as error:
            self.http.close()
            raise TemporaryFailure(f"{self.name}: {error.__class__.__name__} {error}") from None
        try:
            answer = json.loads(data or b"{}")
        except ValueError:
            answer = {"error": data[:200].decode(errors="replace")}
        if 200 <= response.status < 300:
            return answer
        error = f"HTTP {response.status}: {self.error_text(answer)}"
        if response.status in (408, 425, 429) or response.status >= 500:
            retry_after = response.getheader("Retry-After")
            raise TemporaryFailure(error, float(retry_after) if retry_after else None)
        raise PermanentFailure(error)

    @staticmethod
    def error_text(answer):
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict):
            return str(error.get("message") or error)
        return str(error or answer.get("message") or answer)


class GenericSmsGateway(JsonHttpProvider):
    """POST {base}/messages {"to", "text", "from", "client_reference"} with a bearer token."""

    channel = Channel.SMS
    deduplicates = True

    def send(self, message):
        answer = self.post(
            "/messages",
            {
                "to": message.to,
                "text": message.body,
                "from": self.config.get("sender", ""),
                "client_reference": message.idempotency_key,
            },
            {"Authorization": f"Bearer {self.config.get('token', '')}"},
        )
        return str(answer.get("id", ""))

    def parse_callback(self, payload):
        statuses, inbound = [], []
        for event in payload.get("events", []):
            if event.get("type") == "inbound":
                inbound.append(("", event.get("from", ""), event.get("text", "")))
            else:
                statuses.append(("", event.get("client_reference", ""), event.get("status", ""),
                                 event.get("error", "")))
        return statuses, inbound


class ZenviaStyleSms(JsonHttpProvider):
    """Brazilian-market style: POST {base}/v2/channels/sms/messages, X-API-TOKEN header."""

    channel = Channel.SMS
    STATUS = {"SENT": "sent", "DELIVERED": "delivered", "NOT_DELIVERED": "failed", "REJECTED": "failed"}

    def send(self, message):
        answer = self.post(
            "/v2/channels/sms/messages",
            {
                "from": self.config.get("sender", ""),
                "to": message.to.lstrip("+"),
                "contents": [{"type": "text", "text": message.body}],
                "externalId": message.idempotency_key,
            },
            {"X-API-TOKEN": self.config.get("token", "")},
        )
        return str(answer.get("id", ""))

    def parse_callback(self, payload):
        if payload.get("type") == "MESSAGE":
            message = payload.get("message", {})
            text = " ".join(c.get("text", "") for c in message.get("contents", []))
            return [], [("", "+" + str(message.get("from", "")).lstrip("+"), text)]
        status = payload.get("messageStatus", {})
        return [("", payload.get("externalId", ""), self.STATUS.get(status.get("code"), ""),
                 status.get("description", ""))], []


class WhatsAppCloud(JsonHttpProvider):
    """WhatsApp Business Cloud API style template messages, the body as the template's parameter."""

    channel = Channel.WHATSAPP
    # Cloud API error codes worth retrying: rate limits and temporary service errors.
    TEMPORARY_CODES = {4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}

    def send(self, message):
        path = f"/{self.config.get('api_version', 'v21.0')}/{self.config.get('phone_number_id', '')}/messages"
        try:
            answer = self.post(
                path,
                {
                    "messaging_product": "whatsapp",
                    "to": message.to.lstrip("+"),
                    "type": "template",
                    "template": {
                        "name": self.config.get("template", "malha_notice"),
                        "language": {"code": self.config.get("language", "pt_BR")},
                        "components": [
                            {"type": "body", "parameters": [{"type": "text", "text": message.body}]}
                        ],
                    },
                    "biz_opaque_callback_data": message.idempotency_key,
                },
                {"Authorization": f"Bearer {self.config.get('token', '')}"},
            )
        except PermanentFailure as failure:
            if any(f"code {code}" in failure.error for code in self.TEMPORARY_CODES):
                raise TemporaryFailure(failure.error) from None
            raise
        messages = answer.get("messages") or [{}]
        return str(messages[0].get("id", ""))

    @staticmethod
    def error_text(answer):
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict):
            return f"{error.get('message', '')} (code {error.get('code', '?')})"
        return JsonHttpProvider.error_text(answer)

    def parse_callback(self, payload):
        statuses, inbound = [], []
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value", {})
                for status in value.get("statuses", []):
                    errors = status.get("errors") or [{}]
                    # One message id goes through sent, delivered, read: the event is the pair.
                    event_id = f"{status['id']}:{status.get('status', '')}" if status.get("id") else ""
                    statuses.append((event_id, status.get("biz_opaque_callback_data", ""),
                                     status.get("status", ""), errors[0].get("title", "")))
                for message in value.get("messages", []):
                    text = (message.get("text") or {}).get("body", "")
                    inbound.append((str(message.get("id", "")), "+" + str(message.get("from", "")).lstrip("+"),
                                    text))
        return statuses, inbound


BACKENDS = {
    "smtp": SmtpEmail,
    "generic_sms": GenericSmsGateway,
    "zenvia_sms": ZenviaStyleSms,
    "whatsapp_cloud": WhatsAppCloud,
}


def provider_for(channel):
    """The configured provider of a channel, or ValidationError when there is none."""
    config = settings.MESSAGING_PROVIDERS.get(channel) or {}
    backend = config.get("backend")
    if not backend:
        raise ValidationError(
            {"channel": [_("No provider is configured for %(channel)s.") % {
                "channel": Channel(channel).label}]},
            code="no_provider",
        )
    if backend not in BACKENDS:
        raise ImproperlyConfigured(f"Unknown messaging backend {backend!r} for {channel}.")
    return BACKENDS[backend](f"{channel}-{backend}", config)
