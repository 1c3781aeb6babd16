"""What each kind of channel is sent for one message (pure): Slack Block Kit, a PagerDuty
Events API v2 event, the generic webhook's JSON, an e-mail's subject and text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡"}
PAGERDUTY_SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info"}
PAGERDUTY_ACTION = {"acknowledged": "acknowledge", "resolved": "resolve"}
HEADER_MAX, SECTION_MAX, FIELD_MAX, SUMMARY_MAX = 150, 3000, 2000, 1024


@dataclass(frozen=True)
class Message:
    """One change worth telling: an incident opened, escalated, acknowledged or resolved, or
    an approval requested."""

    change: str
    title: str
    severity: str
    text: str
    url: str  # absolute with a public URL configured, else a path
    fingerprint: str  # PagerDuty's dedup_key: one per incident (or approval request)
    at: datetime
    source: str = "stargate"  # the cluster, for PagerDuty's `source`
    component: str = ""  # the catalog item
    kind: str = ""  # the incident's grouping rule, or "approval"
    fields: tuple[tuple[str, str], ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _verb(message: Message) -> str:
    return message.change.replace("_", " ")


def policy_slack(message: Message) -> dict[str, Any]:
    """A policy notification (platform-contracts 21.2, 23.5): urgency, type, the
    recommendation and its target in backticks."""
    urgency = message.severity.upper()
    rule, target = message.details.get("type", ""), message.details.get("target", "")
    section = f"*{urgency}*: {rule}\n{message.text}\nTarget: `{target}`"
    return {
        "text": _cut(f"[StarGate {urgency}] {rule}: {message.text}", SECTION_MAX),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(section, SECTION_MAX)}}
        ],
    }


def slack(message: Message) -> dict[str, Any]:
    if message.kind == "policy":
        return policy_slack(message)
    icon = ICONS.get(message.severity, "⚪")
    header = f"{icon} StarGate: {message.title}"
    fields = [{"type": "mrkdwn", "text": _cut(f"*{k}:* {v}", FIELD_MAX)} for k, v in message.fields]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(header, HEADER_MAX)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(message.text, SECTION_MAX)}},
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields[:10]})
    link = f"<{message.url}|Open in StarGate>" if message.url.startswith("http") else message.url
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link}]})
    level = message.severity or "info"
    return {"text": f"StarGate {level}: {_verb(message)}: {message.title}", "blocks": blocks}


def pagerduty(message: Message) -> dict[str, Any]:
    """The event without its `routing_key` (a credential, added when sent)."""
    action = PAGERDUTY_ACTION.get(message.change)
    if action is not None:
        return {"event_action": action, "dedup_key": message.fingerprint}
    payload: dict[str, Any] = {
        "summary": _cut(message.title, SUMMARY_MAX),
        "source": message.source or "stargate",
        "severity": PAGERDUTY_SEVERITY.get(message.severity, "warning"),
        "timestamp": message.at.isoformat(),
        "class": message.kind or "incident",
        "custom_details": {"change": message.change, "text": message.text, **message.details},
    }
    if message.component:
        payload["component"] = message.component
    event: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": message.fingerprint,
        "payload": payload,
        "client": "StarGate",
    }
    if message.url.startswith("http"):
        event["client_url"] = message.url
        event["links"] = [{"href": message.url, "text": "Open in StarGate"}]
    return event


def webhook(message: Message, key: str) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "type": message.change,
        "timestamp": message.at.isoformat(),
        "title": message.title,
        "severity": message.severity,
        "text": message.text,
        "url": message.url,
        "fingerprint": message.fingerprint,
        "kind": message.kind,
        "fields": dict(message.fields),
        "details": message.details,
    }


def email(message: Message) -> dict[str, Any]:
    level = (message.severity or "info").upper()
    lines = [message.text, "", *(f"{k}: {v}" for k, v in message.fields), "", message.url]
    return {
        "subject": f"[StarGate {level}] {_verb(message)}: {message.title}"[:200],
        "text": "\n".join(lines),
    }


def body_for(kind: str, message: Message, key: str) -> dict[str, Any]:
    if kind == "slack":
        return slack(message)
    if kind == "pagerduty":
        return pagerduty(message)
    if kind == "email":
        return email(message)
    return webhook(message, key)
