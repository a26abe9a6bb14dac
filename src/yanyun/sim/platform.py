"""The simulator's port onto the command services, on a database.

Every step of :class:`PlatformPort` goes through the command services in
its own ``session_scope``, so numbering, location, 1-3-5 circles, targets,
breaches, the timeline and the outbox are the platform's own. ``yanyun
sim`` and the live demo use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import dispatching
from yanyun.command import service as command_service
from yanyun.command import units as command_units
from yanyun.command.catalogue import Catalogue, load_catalogue
from yanyun.command.models import Incident, Unit
from yanyun.command.schemas import IncidentCreate, IncidentSource, PositionIn
from yanyun.core.db import Runtime, session_scope
from yanyun.core.errors import OutsideJurisdiction
from yanyun.geo import service as geo_service
from yanyun.geo.models import Station
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator
from yanyun.sim.calls import GridArea, grid_areas
from yanyun.sim.ports import Call, Choice, FleetUnit, OpenedIncident

__all__ = ["SIM_ACTOR", "PlatformPort"]

#: Who the simulator acts as in the platform's timeline, audit log and events.
SIM_ACTOR = Actor(
    user_id="simulator",
    username="simulator",
    roles=("system",),
    org_code="",
    org_path="",
    permissions=frozenset(),
)


class PlatformPort:
    """The simulator's port onto the command services, one committed transaction per step.

    Parameters
    ----------
    runtime : Runtime
        Its clock stamps every record; its sessions reach the database.
    catalogue, estimator : optional
        The bureau's catalogue (from the settings) and a
        :class:`GreatCircleEstimator` by default, as the API uses.
    actor : Actor
        Who the timeline and audit log name (:data:`SIM_ACTOR`).
    """

    backend = "platform"

    def __init__(
        self,
        runtime: Runtime,
        *,
        catalogue: Catalogue | None = None,
        estimator: TravelTimeEstimator | None = None,
        actor: Actor = SIM_ACTOR,
    ) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.settings = runtime.settings.command
        self.catalogue = catalogue or load_catalogue(self.settings.catalogue_path)
        self.estimator = estimator or GreatCircleEstimator()
        self.actor = actor
        with self.session() as session:
            self.index = geo_service.load_index(session=session)

    def session(self) -> AbstractContextManager[Session]:
        """One committed unit of work, attributed to the simulator's actor."""
        return session_scope(
            self.runtime,
            actor_id=self.actor.user_id,
            actor_username=self.actor.username,
            actor_role=self.actor.primary_role,
        )

    def fleet(self) -> list[FleetUnit]:
        with self.session() as session:
            return [
                FleetUnit(
                    id=u.id,
                    kind=u.kind,
                    station_code=u.station_code,
                    capabilities=frozenset(u.capabilities),
                    lng=u.lng,
                    lat=u.lat,
                    home_lng=u.home_lng,
                    home_lat=u.home_lat,
                    available=u.status == "available",
                )
                for u in session.scalars(select(Unit).order_by(Unit.id))
            ]

    def stations(self) -> dict[str, tuple[float, float]]:
        with self.session() as session:
            rows = session.execute(select(Station.code, Station.lng, Station.lat)).all()
        return {r.code: (r.lng, r.lat) for r in rows}

    def grid_areas(self) -> list[GridArea]:
        """The city's grids, for a call generator."""
        with self.session() as session:
            return grid_areas(session=session)

    def open_incident(self, call: Call) -> OpenedIncident | None:
        body = IncidentCreate(
            source=IncidentSource.call_110,
            narrative=f"模拟警情 simulated call #{call.seq} ({call.label or call.category_code})",
            lng=call.lng,
            lat=call.lat,
            category_code=call.category_code,
            sub_code=call.sub_code,
            priority=call.priority,
        )
        with self.session() as session:
            try:
                incident = command_service.open_incident(
                    session=session,
                    clock=self.clock,
                    actor=self.actor,
                    index=self.index,
                    catalogue=self.catalogue,
                    settings=self.settings,
                    incident_in=body,
                )
            except OutsideJurisdiction:
                return None
            return OpenedIncident(
                required=command_units.required_capabilities(self.catalogue, incident),
                key=incident.id,
                number=incident.number,
                lng=incident.lng,
                lat=incident.lat,
                station_code=incident.station_code,
                urban=self.index.district_urban.get(incident.district_code, False),
                priority=incident.priority,
                dispatch_target_s=incident.dispatch_target_s,
                arrival_target_s=incident.arrival_target_s,
            )

    def recommend(self, incident: OpenedIncident, call: Call) -> Choice | None:
        with self.session() as session:
            row = session.get(Incident, incident.key)
            assert row is not None
            ranked = command_units.recommend(
                session=session,
                incident=row,
                catalogue=self.catalogue,
                estimator=self.estimator,
                urban=incident.urban,
                limit=1,
            )
        return Choice(ranked[0][0].unit_id, ranked[0][0].eta_s) if ranked else None

    def dispatch(self, incident: OpenedIncident, unit_id: str, eta_s: float) -> None:
        with self.session() as session:
            dispatching.dispatch(
                session=session,
                clock=self.clock,
                actor=self.actor,
                incident_id=incident.key,
                unit_ids=[unit_id],
                etas_s={unit_id: round(eta_s, 1)},
            )

    def _unit_action(self, incident: OpenedIncident, unit_id: str, action: str) -> None:
        with self.session() as session:
            if action == "arrive":
                # The fix first: the unit's event then carries its place on scene.
                self._record(session, [(unit_id, incident.lng, incident.lat)])
            dispatching.unit_action(
                session=session,
                clock=self.clock,
                actor=self.actor,
                unit_id=unit_id,
                incident_id=incident.key,
                action=action,
            )

    def acknowledge(self, incident: OpenedIncident, unit_id: str) -> None:
        self._unit_action(incident, unit_id, "acknowledge")

    def arrive(self, incident: OpenedIncident, unit_id: str) -> None:
        self._unit_action(incident, unit_id, "arrive")

    def resolve(self, incident: OpenedIncident) -> None:
        with self.session() as session:
            command_service.transition(
                session=session,
                clock=self.clock,
                actor=self.actor,
                incident_id=incident.key,
                to_status="resolved",
                note="模拟处置完毕 simulated: dealt with",
            )

    def move_units(self, fixes: Sequence[tuple[str, float, float]]) -> None:
        if fixes:
            with self.session() as session:
                self._record(session, fixes)

    def _record(self, session: Session, fixes: Sequence[tuple[str, float, float]]) -> None:
        now = self.clock.now()
        command_units.record_positions(
            session=session,
            clock=self.clock,
            settings=self.settings,
            positions=[PositionIn(unit_id=u, lng=x, lat=y, at=now) for u, x, y in fixes],
            actor=None,
        )
