"""Sending one message: HTTP channels through the SSRF guard to the address it checked (the
name kept for Host, TLS SNI and the certificate check), e-mail through Django's mail backend.
Never raises; errors are scrubbed of the channel's URL and secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

from notifications import conf
from notifications.guard import UrlRefused, url_check
from notifications.models import Channel, Notification

# A 4xx other than these will not pass on a later try: the message is dead at once.
RETRYABLE_4XX = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class Result:
    ok: bool
    status: int | None = None
    error: str = ""
    latency_ms: int = 0
    permanent: bool = False


def _scrub(text: str, channel: Channel) -> str:
    for secret in (channel.url, channel.secret):
        if secret:
            text = text.replace(secret, "…")
    return text[:500]


def headers_for(notification: Notification, content: bytes) -> dict[str, str]:
    key = notification.key
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "StarGate-notifications",
        "X-StarGate-Event": notification.change,
        "X-StarGate-Delivery": key,
        "Idempotency-Key": key,
    }
    channel = notification.channel
    if channel.kind == Channel.Kind.WEBHOOK and channel.secret:
        digest = hmac.new(channel.secret.encode(), content, hashlib.sha256).hexdigest()
        headers["X-StarGate-Signature"] = f"sha256={digest}"
    return headers


def _post(notification: Notification) -> Result:
    channel = notification.channel
    checked = url_check(channel.endpoint())  # again at every delivery: DNS may have changed
    body = dict(notification.body)
    if channel.kind == Channel.Kind.PAGERDUTY:
        body = {"routing_key": channel.secret, **body}
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    url = httpx.URL(channel.endpoint())
    headers = headers_for(notification, content) | {"Host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": checked.host} if checked.scheme == "https" else {}
    bundle = conf.ca_bundle()
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=bundle) if bundle else True
    with httpx.Client(
        timeout=conf.timeout_seconds(), follow_redirects=False, trust_env=False, verify=verify
    ) as client:
        response = client.post(
            url.copy_with(host=checked.address),
            content=content,
            headers=headers,
            extensions=extensions,
        )
    status = response.status_code
    if 200 <= status < 300:
        return Result(True, status)
    permanent = 400 <= status < 500 and status not in RETRYABLE_4XX
    return Result(False, status, f"http_{status}", permanent=permanent)


def _mail(notification: Notification) -> Result:
    channel, key = notification.channel, notification.key
    message = EmailMessage(
        subject=str(notification.body.get("subject", notification.title)),
        body=str(notification.body.get("text", "")),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=channel.recipient_list(),
        headers={"Message-ID": f"<{key}@stargate>", "X-StarGate-Delivery": key},
    )
    message.send(fail_silently=False)
    return Result(True)


def send(notification: Notification) -> Result:
    start = time.monotonic()
    try:
        if notification.channel.kind == Channel.Kind.EMAIL:
            result = _mail(notification)
        else:
            result = _post(notification)
    except UrlRefused as refused:
        result = Result(False, error=f"refused: {refused}")
    except httpx.TimeoutException as error:
        result = Result(False, error=f"timeout: {type(error).__name__}")
    except httpx.HTTPError as error:
        result = Result(False, error=f"connection: {error}")
    except (OSError, smtplib.SMTPException) as error:
        result = Result(False, error=f"mail: {error}")
    elapsed = int((time.monotonic() - start) * 1000)
    return Result(
        result.ok,
        result.status,
        _scrub(result.error, notification.channel),
        elapsed,
        result.permanent,
    )
