"""The simulator's units behave like phones: 签收, 到场 and 处置完毕 through the field's actions.

:class:`FieldCrewPort` opens, ranks and dispatches as the command center does
(:class:`PlatformPort`), but each unit's own steps are what a crew's phone
sends: a keyed action, applied once by ``field.actions.apply_actions`` for a
crew member signed on to the unit, with the arrival's position sent first as
the phone's fix. So the demo city's units exercise the path the phones take
(authority from the dispatch, conflicts answered, keys claimed) and not a
shortcut beside it.

Each unit gets one simulated crew account (``sim-crew-<unit>``), inactive, so
nobody can log in as it, made the first time the unit is sent somewhere.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.permissions import Role, permissions_of
from yanyun.auth.service import Actor
from yanyun.command.models import Assignment, Unit
from yanyun.core.errors import Conflict
from yanyun.core.ids import new_id
from yanyun.field.actions import apply_actions
from yanyun.field.models import FieldShift
from yanyun.field.schemas import FieldAction
from yanyun.sim.platform import PlatformPort
from yanyun.sim.ports import OpenedIncident

CREW_ROLE = Role.station_officer


class FieldCrewPort(PlatformPort):
    """Command-center steps as the platform's, unit steps as the crews' phones send them."""

    backend = "field"

    def _crew(self, session: Session, unit: Unit) -> Actor:
        """The unit's simulated crew member, signed on to it (made once)."""
        username = f"sim-crew-{unit.id}"
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(id=new_id(self.clock), username=username,
                        display_name=f"模拟机组 {unit.call_sign}", password_hash="!",
                        roles=[CREW_ROLE.value], org_code=unit.station_code, phone=None,
                        active=False, created_at=self.clock.now())
            session.add(user)
            session.flush()
        shift = session.scalar(
            select(FieldShift).where(FieldShift.user_id == user.id, FieldShift.ended_at.is_(None))
        )
        if shift is None or shift.unit_id != unit.id:
            if shift is not None:
                shift.ended_at = self.clock.now()
            session.add(FieldShift(id=new_id(self.clock), user_id=user.id, unit_id=unit.id,
                                   org_path=unit.org_path, started_at=self.clock.now(),
                                   pin_hash=None, pin_failures=0))
            session.flush()
        return Actor(user_id=user.id, username=username, roles=(CREW_ROLE.value,),
                     org_code=unit.station_code, org_path=unit.org_path,
                     permissions=permissions_of([CREW_ROLE.value]))

    def _send(self, unit_id: str, actions: list[dict]) -> None:
        """Send a phone's batch; any action not applied is the platform refusing the step."""
        with self.session() as session:
            unit = session.get(Unit, unit_id)
            if unit is None:
                raise Conflict("警力单元不存在", "no such unit")
            now = self.clock.now()
            batch = [FieldAction(key=new_id(self.clock), at=now, **a) for a in actions]
            result = apply_actions(
                session=session, clock=self.clock, actor=self._crew(session, unit),
                settings=self.runtime.settings.field, command_settings=self.settings,
                actions=batch,
            )
            refused = [r for r in result.results if r.status != "applied"]
            if refused:
                raise Conflict(refused[0].reason_zh or "未执行", refused[0].reason_en or "refused")

    def acknowledge(self, incident: OpenedIncident, unit_id: str) -> None:
        self._send(unit_id, [{"kind": "acknowledge", "incident_id": incident.key}])

    def arrive(self, incident: OpenedIncident, unit_id: str) -> None:
        # The phone's fix first: the unit's event then carries its place on scene.
        self._send(unit_id, [
            {"kind": "position", "lng": incident.lng, "lat": incident.lat},
            {"kind": "arrive", "incident_id": incident.key},
        ])

    def resolve(self, incident: OpenedIncident) -> None:
        """Every crew still on it sends 处置完毕; the last one resolves the incident."""
        with self.session() as session:
            on_it = list(session.scalars(
                select(Assignment.unit_id).where(Assignment.incident_id == incident.key,
                                                 Assignment.cleared_at.is_(None))
            ))
        if not on_it:
            super().resolve(incident)
            return
        for unit_id in on_it:
            self._send(unit_id, [{"kind": "clear", "incident_id": incident.key,
                                  "outcome": "other", "note": "模拟处置完毕 simulated"}])
