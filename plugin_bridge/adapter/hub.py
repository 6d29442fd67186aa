"""The process's plugin connections: takeovers, pushed commands, and the lost-link sweep.

Domain events reach every replica through the event bus; each replica acts for the sockets
it holds. Server commands get deterministic ids (`abort-<assignment>`, `key-<prefix>`) and go
to the durable outbox first, so a command for an observatory no replica serves right now is
delivered after its next reconciliation, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from domain import sealing
from domain.dispatch.record import DispatchRecord
from domain.events import DomainEvent, EventBus
from domain.observations.lifecycle import OBSERVATION_TOPIC
from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from domain.observatories.live_status import OBSERVATORY_TOPIC, live_status_of
from domain.observatories.registration import ObservatoryRegistration
from plugin_bridge import messages as m
from plugin_bridge.adapter.connection import Connection
from plugin_bridge.core.effects import AuthRefused
from plugin_bridge.core.session import SessionConfig
from plugin_bridge.service.heartbeat import sweep_lost_links
from plugin_bridge.storage.outbox import MongoOutbox

log = logging.getLogger(__name__)

SESSION_TOPIC = "plugin_session"
DISPATCH_CONCURRENCY = 2  # request_work answered at once per process; the rest queue
ABORTED_STATES = frozenset({ObservationState.CANCELLED, ObservationState.ABORTED})
RUNNING = frozenset(
    {
        ObservationState.ASSIGNED,
        ObservationState.IN_PROGRESS,
        ObservationState.SUSPENDED,
        ObservationState.PAUSED,
    }
)


class BridgeHub:
    def __init__(
        self,
        bus: EventBus,
        config: SessionConfig,
        *,
        max_upload_bytes: int,
        sweep_interval_s: float,
    ) -> None:
        self.bus = bus
        self.config = config
        self.max_upload_bytes = max_upload_bytes
        self.tick_interval_s = min(1.0, config.heartbeat_timeout_s / 4)
        self.sweep_interval_s = sweep_interval_s
        self.replica = uuid.uuid4().hex
        self.outbox = MongoOutbox()
        self.by_observatory: dict[str, Connection] = {}
        self.by_registration: dict[str, Connection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.dispatch_slots = asyncio.Semaphore(DISPATCH_CONCURRENCY)

    # -- lifetime -----------------------------------------------------------------------

    async def start(self) -> None:
        self.track(asyncio.create_task(self._listen(), name="plugin-hub-events"))
        self.track(asyncio.create_task(self._sweep(), name="plugin-hub-sweep"))

    async def stop(self) -> None:
        for task in tuple(self._tasks):
            task.cancel()
        for task in tuple(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- connections --------------------------------------------------------------------

    async def attach(self, connection: Connection) -> None:
        """`connection` authenticated: it replaces any older one of the observatory."""
        observatory = connection.session.observatory_id
        assert observatory is not None
        older = self.by_observatory.get(observatory)
        self.by_observatory[observatory] = connection
        if older is not None and older is not connection:
            await older.replaced()
        await self.bus.publish(
            DomainEvent(
                topic=SESSION_TOPIC,
                kind="started",
                payload={
                    "observatory_id": observatory,
                    "session_id": connection.session.session_id,
                    "replica": self.replica,
                },
            )
        )

    def detach(self, connection: Connection) -> None:
        observatory = connection.session.observatory_id
        if observatory is not None and self.by_observatory.get(observatory) is connection:
            del self.by_observatory[observatory]
        registration = connection.registration_id
        if registration is not None and self.by_registration.get(registration) is connection:
            del self.by_registration[registration]

    async def awaiting_approval(self, connection: Connection, registration_id: str) -> None:
        self.by_registration[registration_id] = connection
        await self._deliver_registration_key(registration_id)

    # -- commands -----------------------------------------------------------------------

    async def rotated_key_for(self, observatory_id: str) -> m.ApiKeyIssued | None:
        status = await live_status_of(PydanticObjectId(observatory_id))
        if status is None or status.pending_key_secret is None:
            return None
        api_key = _unsealed(status.pending_key_secret)
        if api_key is None:
            return None
        return _command(
            m.ApiKeyIssued,
            id=f"key-{status.pending_key_prefix}",
            reason="rotation",
            observatory_id=observatory_id,
            api_key=api_key,
        )

    async def _deliver_registration_key(self, registration_id: str) -> None:
        connection = self.by_registration.get(registration_id)
        if connection is None:
            return
        registration = await ObservatoryRegistration.get(PydanticObjectId(registration_id))
        if registration is None:
            return
        if registration.status.value == "rejected":
            await connection.refuse(
                AuthRefused(m.ErrorCode.REGISTRATION_REJECTED, registration.reason or "refused")
            )
            return
        if registration.issued_key is None or registration.observatory_id is None:
            return
        api_key = _unsealed(registration.issued_key)
        if api_key is None:
            return
        command = _command(
            m.ApiKeyIssued,
            id=f"key-{registration_id}",
            reason="registration_approved",
            observatory_id=str(registration.observatory_id),
            api_key=api_key,
        )
        await connection.push(command)

    async def _abort_for(self, payload: dict[str, object]) -> None:
        observation = await Observation.get(PydanticObjectId(str(payload["observation_id"])))
        if observation is None or observation.assigned_observatory_id is None:
            return
        record = await DispatchRecord.find_one(
            DispatchRecord.observatory_id == observation.assigned_observatory_id,
            DispatchRecord.observation_id == observation.id,
            sort=[("start", -1)],
        )
        if record is None:
            return
        observatory = str(record.observatory_id)
        abort = _command(
            m.Abort,
            id=f"abort-{record.id}",
            assignment_id=str(record.id),
            reason=m.AbortReason.CANCEL,
            stop="immediately",
            message=str(payload.get("reason", ""))[:1000],
        )
        await self.outbox.add(observatory, abort)
        connection = self.by_observatory.get(observatory)
        if connection is not None:
            await connection.push(abort)

    # -- events and the sweep -----------------------------------------------------------

    async def _listen(self) -> None:
        topics = {OBSERVATORY_TOPIC, OBSERVATION_TOPIC, SESSION_TOPIC}
        while True:
            try:
                async for event in self.bus.subscribe(topics, _wanted):
                    try:
                        await self._on(event)
                    except Exception:
                        log.exception("plugin hub failed on %s.%s", event.topic, event.kind)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("plugin hub lost its event subscription; resubscribing")
                await asyncio.sleep(0.5)

    async def _on(self, event: DomainEvent) -> None:
        payload = event.payload
        if event.topic == OBSERVATION_TOPIC:
            await self._abort_for(payload)
        elif event.kind in ("registration_approved", "registration_rejected"):
            await self._deliver_registration_key(str(payload["registration_id"]))
        elif event.kind == "key_rotated":
            observatory = str(payload["observatory_id"])
            connection = self.by_observatory.get(observatory)
            command = await self.rotated_key_for(observatory)
            if command is not None:
                await self.outbox.add(observatory, command)
                if connection is not None:
                    await connection.push(command)
        elif event.topic == SESSION_TOPIC and payload.get("replica") != self.replica:
            connection = self.by_observatory.get(str(payload["observatory_id"]))
            if connection is not None and connection.session.session_id != payload["session_id"]:
                self.by_observatory.pop(str(payload["observatory_id"]), None)
                await connection.replaced()

    async def _sweep(self) -> None:
        timeout = timedelta(seconds=self.config.heartbeat_timeout_s)
        grace = timedelta(seconds=self.config.offline_grace_s)
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            try:
                await sweep_lost_links(timeout, grace, self.bus, set(self.by_observatory))
            except Exception:
                log.exception("the lost-link sweep failed")


def _wanted(event: DomainEvent) -> bool:
    if event.topic == OBSERVATION_TOPIC:
        return (
            event.kind == "state_changed"
            and event.payload.get("state") in ABORTED_STATES
            and event.payload.get("previous_state") in RUNNING
        )
    if event.topic == OBSERVATORY_TOPIC:
        return event.kind in ("registration_approved", "registration_rejected", "key_rotated")
    return event.topic == SESSION_TOPIC


def _command[T: m.Envelope](model: type[T], **fields: object) -> T:
    envelope = {"seq": 1, "ts": datetime.now(UTC), "type": m.type_name(model)}
    return model.model_validate(envelope | fields, strict=False)


def _unsealed(stored: str) -> str | None:
    try:
        return sealing.unseal(stored)
    except sealing.SealError:
        log.error("a new API key cannot be unsealed (was the secret key changed?); rotate it")
        return None
