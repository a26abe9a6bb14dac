"""Public opinion's service facade: posts in, stories grouped, events opened, handled, closed.

The work lives in modules named for it; this module keeps the names the
routes, the CLI, the demo, the handlers and other code import from here.

- `intake`: posts taken in, split into stories and grouped;
- `tracking`: stories placed in events, events recounted, relinked, alerted;
- `known_incidents`: opinion's copy of command's incidents;
- `handling`: events assigned, acted on and closed;
- `event_reads`: event lists and details, refusals, assignable officers;
- `feeds`: feeds registered and polled.
"""

from __future__ import annotations

from yanyun.opinion.event_reads import (
    event_detail,
    get_event,
    list_events,
    opinion_officers,
    rejection_counts,
)
from yanyun.opinion.feeds import create_feed, list_feeds, load_rumor_model, poll_feeds
from yanyun.opinion.handling import assign_event, close_event, record_action
from yanyun.opinion.intake import (
    author_hash,
    ingest_file,
    ingest_posts,
    iter_chunks,
    record_rejection,
)
from yanyun.opinion.known_incidents import INCIDENT_CONSUMER, copy_incident
from yanyun.opinion.tracking import (
    EVENT_ACTION,
    EVENT_ASSIGNED,
    EVENT_CLOSED,
    EVENT_OPENED,
    HEAT_ALERT,
    refresh_event,
)

__all__ = [
    "EVENT_ACTION",
    "EVENT_ASSIGNED",
    "EVENT_CLOSED",
    "EVENT_OPENED",
    "HEAT_ALERT",
    "INCIDENT_CONSUMER",
    "assign_event",
    "author_hash",
    "close_event",
    "copy_incident",
    "create_feed",
    "event_detail",
    "get_event",
    "ingest_file",
    "ingest_posts",
    "iter_chunks",
    "list_events",
    "list_feeds",
    "load_rumor_model",
    "opinion_officers",
    "poll_feeds",
    "record_action",
    "record_rejection",
    "refresh_event",
    "rejection_counts",
]
