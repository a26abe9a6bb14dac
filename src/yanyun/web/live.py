"""Live fan-out of committed events over WebSocket, with resume after reconnect.

The process's outbox runner reads committed events (so only committed events
go out, woken by each commit) and hands them here; the hub passes each to the
subscribers who may follow it (:func:`yanyun.core.events.may_follow`: its kind,
and their org scope or its audience). A client that
reconnects sends the last id it saw and is caught up from the table first.

Each event is encoded to JSON once, however many sockets carry it, and the
rule is decided once per kind of reader (scope, user, hidden kinds), not per
socket. A socket with a backlog sends what it holds in id order, except that
units' positions (many, each soon superseded) wait behind everything else of
the backlog: an incident is never queued behind a second of AVL fixes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from yanyun.auth import service as auth_service
from yanyun.auth.deps import SESSION_COOKIE, require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.bus import EventRunner, event_json, trace_stamp
from yanyun.core.db import Runtime, read_session
from yanyun.core.errors import DomainError
from yanyun.core.http import SessionDep

log = logging.getLogger("yanyun.live")
router = APIRouter(prefix="/api/v1/events", tags=["events"])
CATCH_UP_LIMIT = 1000
QUEUE_SIZE = 10000
#: Kinds sent after the rest of a socket's backlog: frequent, and each one superseded.
LOW_PRIORITY_KINDS = frozenset({"units.moved"})


@dataclass(frozen=True)
class Outgoing:
    """An event as every socket sends it: its wire form, encoded once."""

    id: int
    kind: str
    wire: dict[str, Any]
    text: str

    @classmethod
    def of(cls, wire: dict[str, Any]) -> Outgoing:
        # The separators and non-ASCII text of Starlette's send_json, done once per event.
        text = json.dumps(wire, separators=(",", ":"), ensure_ascii=False)
        return cls(id=wire["id"], kind=wire["kind"], wire=wire, text=text)


@dataclass(eq=False)
class Subscriber:
    scope_path: str
    hidden_kinds: frozenset[str] = frozenset()
    user_id: str = ""
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: bool = False


class EventHub:
    """The WebSocket subscribers of this process, fed by the outbox runner in id order."""

    def __init__(self, runtime: Runtime, runner: EventRunner) -> None:
        self.runtime = runtime
        self.runner = runner
        self.subscribers: set[Subscriber] = set()

    @property
    def cursor(self) -> int:
        """The last event id handed to subscribers (the runner's live cursor)."""
        return self.runner.live.cursor

    async def start(self) -> None:
        # The start position is fixed before the app serves anyone: a client
        # that connected first and took cursor 0 as "now" would otherwise miss
        # whatever committed before the first read moved the cursor past it.
        try:
            await run_in_threadpool(self.runner.start_live_at_latest)
        except Exception:
            log.exception("event hub could not read its start position")

    def publish_many(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self.publish(item)

    def publish(self, item: dict[str, Any]) -> None:
        audience = item.get("audience") or ""
        outgoing: Outgoing | None = None
        decided: dict[tuple[str, str, frozenset[str]], bool] = {}
        for sub in list(self.subscribers):
            reader = (sub.scope_path, sub.user_id if audience else "", sub.hidden_kinds)
            follows = decided.get(reader)
            if follows is None:
                follows = decided[reader] = events.may_follow(
                    item["org_path"], audience, item["kind"], scope_path=sub.scope_path,
                    user_id=sub.user_id, hidden_kinds=sub.hidden_kinds)
            if not follows:
                continue
            if outgoing is None:
                outgoing = Outgoing.of({k: v for k, v in item.items() if k != "audience"})
            try:
                sub.queue.put_nowait(outgoing)
            except asyncio.QueueFull:
                # A client too slow to keep up is told to resume from its last id.
                sub.overflowed = True


def _catch_up(
    runtime: Runtime, actor: Actor, after_id: int, up_to: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """Events in (after_id, up_to] the actor may see; also where the scan stopped."""
    with read_session(runtime) as session:
        rows = _visible_events(session, actor, after_id, CATCH_UP_LIMIT)
    more = len(rows) == CATCH_UP_LIMIT and rows[-1].id < up_to
    scanned_to = rows[-1].id if more else up_to
    return [event_json(r) for r in rows if r.id <= up_to], scanned_to, more


def _visible_events(session: Any, actor: Actor, after_id: int, limit: int) -> list[Any]:
    """The next events the actor may follow: their scope and kinds, filtered before the limit."""
    return events.events_after(
        session,
        after_id=after_id,
        limit=limit,
        scope_path=actor.org_path or None,
        without_kinds=events.kinds_needing(p.value for p in actor.permissions),
        user_id=actor.user_id,
    )


def _authenticate(runtime: Runtime, token: str) -> Actor:
    with read_session(runtime) as session:
        actor = auth_service.authenticate(session=session, clock=runtime.clock, token=token)
    if not actor.can(Perm.events_read):
        from yanyun.core.errors import PermissionDenied

        raise PermissionDenied("无权订阅实时事件", "not allowed to follow live events")
    return actor


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    """Stream committed events. First message: {"token": ..., "after": last id seen}."""
    await websocket.accept()
    runtime: Runtime = websocket.app.state.runtime
    hub: EventHub = websocket.app.state.event_hub
    hello = await _greet(websocket, runtime)
    if hello is None:
        return
    actor, token, after = hello
    sub = Subscriber(
        scope_path=actor.org_path,
        hidden_kinds=events.kinds_needing(p.value for p in actor.permissions),
        user_id=actor.user_id,
    )
    # Subscribe before catching up: whatever the hub publishes meanwhile waits
    # in the queue, and the catch-up covers only what it had already passed.
    hub.subscribers.add(sub)
    try:
        last_sent = await _send_missed(websocket, runtime, hub, actor, after)
        await websocket.send_json({"type": "ready", "last_id": last_sent, "scope": actor.org_path})
        await _follow(websocket, runtime, sub, token, last_sent, trace=hub.runner.trace)
    except WebSocketDisconnect:
        pass
    finally:
        hub.subscribers.discard(sub)


async def _greet(websocket: WebSocket, runtime: Runtime) -> tuple[Actor, str, int] | None:
    """Read the first message and authenticate it; on failure close the socket and say why."""
    try:
        hello = await asyncio.wait_for(websocket.receive_json(), timeout=10)
        # API clients send their token; the pages' socket carries the session cookie,
        # accepted only from a page of this site (a foreign page's socket is refused).
        token = str(hello.get("token") or "")
        if not token and _same_origin(websocket):
            token = websocket.cookies.get(SESSION_COOKIE, "")
        after = int(hello.get("after") or 0)
        actor = await run_in_threadpool(_authenticate, runtime, token)
    except (TimeoutError, ValueError, TypeError, AttributeError, WebSocketDisconnect):
        await websocket.close(code=4400, reason="expected {token, after}")
        return None
    except DomainError as exc:
        await websocket.send_json(_error_message(exc))
        await websocket.close(code=4401 if exc.status == 401 else 4403, reason=exc.code)
        return None
    return actor, token, after


async def _send_missed(
    websocket: WebSocket, runtime: Runtime, hub: EventHub, actor: Actor, after: int
) -> int:
    """Send what the client missed since ``after`` (none for a new client); the last id sent."""
    last_sent = after if after else hub.cursor
    scanned = last_sent
    more = bool(after)
    while more:
        items, scanned, more = await run_in_threadpool(
            _catch_up, runtime, actor, scanned, hub.cursor
        )
        for item in items:
            await websocket.send_json(item)
        last_sent = max(last_sent, scanned)
    return last_sent


def take_backlog(first: Outgoing, queue: asyncio.Queue) -> list[Outgoing]:
    """What a socket holds to send now: id order, positions behind everything else."""
    held = [first]
    while True:
        try:
            held.append(queue.get_nowait())
        except asyncio.QueueEmpty:
            break
    if len(held) == 1:
        return held
    urgent = [o for o in held if o.kind not in LOW_PRIORITY_KINDS]
    return urgent + [o for o in held if o.kind in LOW_PRIORITY_KINDS]


async def _follow(
    websocket: WebSocket, runtime: Runtime, sub: Subscriber, token: str, last_sent: int,
    trace: Any = None,
) -> None:
    """Forward the hub's events until the client leaves, its token dies or it falls behind.

    ``last_sent`` is where the catch-up stopped: anything the hub queued at or
    before it was sent already. The client keeps the highest id it saw, so a
    position held back behind a later incident and lost to a drop in between
    is not sent again; the next batch of fixes supersedes it.
    """
    caught_up_to = last_sent
    # Watch the socket while waiting for events, or a client that left
    # would hold its handler (and a clean shutdown) until the next event.
    gone = asyncio.create_task(_until_disconnect(websocket))
    revoked = asyncio.create_task(
        _until_token_dies(runtime, token, runtime.settings.web.socket_recheck_s)
    )
    try:
        while True:
            getter = asyncio.create_task(sub.queue.get())
            done, _ = await asyncio.wait(
                {getter, gone, revoked}, return_when=asyncio.FIRST_COMPLETED
            )
            if gone in done:
                getter.cancel()
                return
            if revoked in done:
                getter.cancel()
                exc = revoked.result()
                await websocket.send_json(_error_message(exc))
                await websocket.close(code=4401, reason=exc.code)
                return
            if sub.overflowed:
                await websocket.send_json({"type": "resync", "last_id": last_sent})
                await websocket.close(code=4408, reason="too slow; resume from last_id")
                return
            for item in take_backlog(getter.result(), sub.queue):
                if item.id <= caught_up_to:
                    continue
                await websocket.send_text(item.text)
                last_sent = max(last_sent, item.id)
                if trace is not None:
                    trace.write({"s": "send", "id": item.id, "t": trace_stamp(), "sub": id(sub)})
    finally:
        gone.cancel()
        revoked.cancel()


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


def _error_message(exc: DomainError) -> dict[str, Any]:
    return {
        "type": "error",
        "code": exc.code,
        "message": {"zh-CN": exc.message_zh, "en": exc.message_en},
    }


async def _until_token_dies(runtime: Runtime, token: str, every_s: float) -> DomainError:
    """Check the socket's token again and again; return why it no longer holds.

    A logout, an expiry or a disabled account ends the stream, in every
    server process (each checks the token table, not a message from the one
    that logged the user out).
    """
    while True:
        await asyncio.sleep(every_s)
        try:
            await run_in_threadpool(_authenticate, runtime, token)
        except DomainError as exc:
            return exc
        except Exception:  # a database hiccup is not a logout; try again next time
            log.exception("rechecking a live socket's token failed")


async def _until_disconnect(websocket: WebSocket) -> None:
    """Return when the client goes away; anything it sends meanwhile is ignored."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


@router.get("")
def list_events(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Perm.events_read))],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Committed events after a cursor, within the caller's scope (the WebSocket's twin).

    Scope and kinds are applied before the limit: a page is full of what the
    caller may see, and its last id is the next cursor.
    """
    return [event_json(r) for r in _visible_events(session, actor, after, limit)]
