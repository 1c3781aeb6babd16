"""Live updates: one broadcast path, with topics.

Apps register a renderer per topic in their `AppConfig.ready` (`register`); whatever changes what
an open page shows publishes the topic after its commit (`publish_on_commit`), with the ids of
what changed. The renderer turns the ids into (group, html) messages, HTML fragments with stable
ids and `hx-swap-oob="true"` that the htmx ws extension swaps in place. Topics: `labs` (lab
instance ids), `fleet` (a scan run ended: no ids), `approvals` (action request ids). Nothing
else calls the channel layer to broadcast; this module imports no app.

Two delivery paths, chosen by the channel layer:
- Redis (production): the process that made the change renders the fragments after commit and
  sends them to the groups; every web process's sockets receive them.
- In-memory (embedded): a worker process cannot reach the web process's in-memory layer, so the
  publication is recorded as a `LiveEvent` row after commit, and the web process's relay
  (`stargate.relay`) renders and sends every topic there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

# Topics.
LABS = "labs"
FLEET = "fleet"
APPROVALS = "approvals"

# Groups (a socket joins the ones it shows). Each audience (the platform operators, or one set
# of teams: `labs.selectors.Audience.key`) has groups of its own: a renderer renders once per
# audience and never sends a fragment of a lab to an audience that does not see it.
DASHBOARD = "dashboard"
APPROVALS_GROUP = "approvals"
FRAGMENT_EVENT = "html.fragment"

Messages = list[tuple[str, str]]
Renderer = Callable[[list[int]], Messages]


@dataclass(frozen=True)
class Topic:
    name: str
    render: Renderer  # ids (merged, sorted) -> (group, html) messages


_topics: dict[str, Topic] = {}


def register(name: str, render: Renderer) -> None:
    """Make `name` a topic rendered by `render`; called once per topic, from `AppConfig.ready`."""
    if name in _topics and _topics[name].render is not render:
        raise ValueError(f"topic {name!r} is registered already")
    _topics[name] = Topic(name, render)


def topic(name: str) -> Topic:
    try:
        return _topics[name]
    except KeyError:
        raise LookupError(f"no renderer registered for topic {name!r}") from None


def dashboard_group(audience_key: str) -> str:
    """The fleet overview and labs table of one audience."""
    return f"{DASHBOARD}-{audience_key}"


def approvals_group(audience_key: str) -> str:
    """The approval queue of one audience."""
    return f"{APPROVALS_GROUP}-{audience_key}"


def lab_group(lab_instance_id: int, team_id: int | None) -> str:
    """One lab's page, while the lab belongs to `team_id`: a socket joins the group of the team
    the lab had when it connected, so a lab given to another team stops reaching it."""
    return f"lab-{lab_instance_id}-team-{team_id or 'none'}"


def uses_relay() -> bool:
    """True when broadcasts must go through the database (in-memory layer: one process only)."""
    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def send_html(group: str, html: str) -> None:
    async_to_sync(get_channel_layer().group_send)(group, {"type": FRAGMENT_EVENT, "html": html})


def publish_on_commit(name: str, ids: Iterable[int] = ()) -> None:
    """Tell open pages that `ids` of topic `name` changed, once the transaction commits.

    Robust: a delivery that fails (Redis down) is logged and never undoes or stops the write."""
    topic(name)  # an unknown topic fails now, in the writer, rather than after the commit
    changed = sorted(set(ids))
    transaction.on_commit(lambda: publish(name, changed), robust=True)


def publish(name: str, ids: list[int]) -> None:
    """Deliver now; call only with committed state (from an on-commit callback)."""
    if uses_relay():
        from stargate.models import LiveEvent

        LiveEvent.objects.create(topic=name, ids=ids)
        return
    deliver(name, ids)


def deliver(name: str, ids: list[int]) -> None:
    """Render the topic's fragments in this process and send them to their groups."""
    for group, html in topic(name).render(ids):
        send_html(group, html)


def lab_instances_changed_on_commit(lab_instance_ids: Iterable[int]) -> None:
    """The rubric engine changed these labs' statuses (topic `labs`)."""
    ids = sorted(set(lab_instance_ids))
    if ids:
        publish_on_commit(LABS, ids)


def fleet_changed_on_commit() -> None:
    """A scan run ended: reachability, nodes, last scans, labs found or gone (topic `fleet`)."""
    publish_on_commit(FLEET)
