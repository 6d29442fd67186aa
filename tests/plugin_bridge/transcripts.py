"""Example sessions for docs/plugin-protocol.md, produced by running the real protocol core.

A small scripted domain answers the core's commands; every line of a transcript is a frame
the core received or sent (or, after `--`, what the server did). Regenerate the document's
blocks with:

    .venv/bin/python -m tests.plugin_bridge.transcripts docs/plugin-protocol.md
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import (
    Applied,
    Apply,
    Authenticated,
    Close,
    Effect,
    InterruptForLostHeartbeat,
    MarkOffline,
    Send,
)
from plugin_bridge.core.reconciliation import PluginReport, ServerView, reconcile
from plugin_bridge.core.session import PluginSession, SessionConfig
from plugin_bridge.core.stores import MemoryDedupStore, MemoryOutbox
from tests.plugin_bridge.harness import OBSERVATORY, T0, Plugin, counter

SHA = ["5d41402abc4b2a76b9719d911017c592" * 2, "7e240de74fb1ed08fa08d38063f6a6a9" * 2]
AUTOFOCUS = {
    "mode": "plugin_managed",
    "initial": True,
    "time": {"enabled": True, "interval_minutes": 30},
    "temperature": {"enabled": False, "threshold_celsius": 2.0},
    "hfr": {"enabled": False, "increase_percentage": 5, "sample_size": 10},
    "filter_change": {"enabled": False},
    "exposures": {"enabled": False, "exposure_count": 10},
}
GUIDING = {"enabled": True, "required": False, "dithering": True}


class World:
    """The scripted server side: one observation of `count` frames, and a transcript."""

    def __init__(self, count: int = 2) -> None:
        self.dedup = MemoryDedupStore()
        self.outbox = MemoryOutbox()
        self.server_ids = counter("s")
        self.plugin_ids = counter("p")
        self.lines: list[str] = []
        self.count = count
        self.state = "pending"
        self.known: set[int] = set()
        self.assignments = 0
        self.assignment_id = "asg-1"
        self.session: PluginSession
        self.plugin: Plugin

    # -- connection ---------------------------------------------------------------------

    def connect(self, at: datetime) -> None:
        self.session = PluginSession(
            config=SessionConfig(min_plugin_version="1.2.0"),
            dedup=self.dedup,
            outbox=self.outbox,
            new_id=self.server_ids,
            now=at,
        )
        self.plugin = Plugin(self.plugin_ids)
        self.note(f"WebSocket GET /plugin/ws, Sec-WebSocket-Protocol: {m.PROTOCOL}")
        self.session.start(m.PROTOCOL, at)

    def note(self, text: str) -> None:
        self.lines.append(f"-- {text}")

    async def send(self, kind: str, at: datetime, **fields: Any) -> str:
        text, message_id = self.plugin.frame(kind, at, **fields)
        await self.receive(text, at)
        return message_id

    async def receive(self, text: str, at: datetime) -> None:
        self.lines.append(">> " + text)
        await self.carry_out(await self.session.receive(text, at), at)

    async def hello(self, at: datetime) -> None:
        text, _ = self.plugin.hello(
            at,
            capabilities={
                "guiding": True,
                "auto_focus": True,
                "filter_wheel": True,
                "filters": ["L", "R", "G", "B", "Ha"],
                "features": ["calibration_orders", "log_forwarding"],
            },
        )
        await self.receive(text, at)

    async def carry_out(self, effects: list[Effect], at: datetime) -> None:
        for effect in effects:
            if isinstance(effect, Send):
                self.lines.append("<< " + json.dumps(effect.message.model_dump(mode="json")))
            elif isinstance(effect, Close):
                self.note(f"server closes the socket: {int(effect.code)} {effect.reason}")
            elif isinstance(effect, MarkOffline):
                self.note(f"server marks {effect.observatory_id} offline ({effect.reason})")
            elif isinstance(effect, InterruptForLostHeartbeat):
                self.note(f"server interrupts the work of {effect.observatory_id}")
            elif isinstance(effect, Apply):
                await self.apply(effect, at)

    async def pushed(self, command: m.ServerCommand, at: datetime) -> None:
        await self.carry_out(await self.session.push(command, at), at)

    # -- the scripted domain ------------------------------------------------------------

    async def apply(self, effect: Apply, at: datetime) -> None:
        command = effect.command
        name = type(command).__name__
        if isinstance(command, c.Authenticate):
            self.note(f"server: {name} -> API key and fingerprint match {OBSERVATORY}")
            await self.carry_out(
                await self.session.hello_answered(Authenticated(OBSERVATORY), at), at
            )
            return
        if isinstance(command, c.CommandAcknowledged | c.RecordGoodbye):
            self.note(f"server: {name}")
            return
        assert effect.message_id is not None
        result, replies, change = self.domain(command, at)
        self.note(f"server: {name}" + (f" -> {change}" if change else ""))
        outcome = Applied(result, tuple(replies))
        await self.carry_out(await self.session.applied(effect.message_id, outcome, at), at)

    def domain(self, command: object, at: datetime) -> tuple[dict[str, Any], list[Any], str]:
        session = self.session
        if isinstance(command, c.Reconcile):
            report = command.message
            view = None
            if self.state not in {"pending"} or report.assignment_id is not None:
                view = ServerView(
                    assignment_id=self.assignment_id,
                    state=m_state(self.state),
                    current=True,
                    exposures_planned=self.count,
                    exposures_accepted=len(self.known),
                    frames_known=frozenset(self.known),
                    frames_accepted=frozenset(self.known),
                    must_end_by=T0 + timedelta(hours=3),
                )
            decision = reconcile(view, PluginReport.of(report), at)
            if decision.observation_state is not None:
                self.state = decision.observation_state.value
            reply = session.compose(
                m.Reconciliation,
                at,
                correlation_id=report.id,
                decision=decision.kind,
                assignment_id=decision.assignment_id,
                observation_state=self.state if decision.assignment_id else None,
                upload_sequences=list(decision.upload_sequences),
                reason=decision.reason,
            )
            return {"decision": decision.kind.value}, [reply], f"reconcile(): {decision.kind}"
        if isinstance(command, c.RequestWork):
            self.assignments += 1
            self.assignment_id = f"asg-{self.assignments}"
            self.state = "assigned"
            self.known = set()
            assignment = session.compose(
                m.Assignment,
                at,
                correlation_id=command.message.id,
                assignment_id=self.assignment_id,
                observation_id=f"obs-{self.assignments}",
                observation_name=["M 42 LRGB", "SN 2026abc follow-up"][self.assignments - 1],
                observation_type=["flexible", "fixed_time"][self.assignments - 1],
                priority=[5, 9][self.assignments - 1],
                targets=[
                    {
                        "name": ["M 42", "SN 2026abc"][self.assignments - 1],
                        "ra_deg": [83.8221, 150.1172][self.assignments - 1],
                        "dec_deg": [-5.3911, 2.2058][self.assignments - 1],
                        "exposures": [{"filter": "L", "exposure_s": 60.0, "count": self.count}],
                    }
                ],
                must_end_by=T0 + timedelta(hours=3),
                first_sequence=1,
                autofocus=AUTOFOCUS,
                guiding=GUIDING,
                thresholds={"max_fwhm_arcsec": 3.5, "min_stars": 50},
            )
            return {"assignment_id": self.assignment_id}, [assignment], "pending -> assigned"
        if isinstance(command, c.RecordExposureStarted):
            if self.state == "assigned":
                self.state = "in_progress"
                return {}, [], "assigned -> in_progress"
            return {}, [], ""
        if isinstance(command, c.RecordExposureFinished):
            message = command.message
            ticket = session.compose(
                m.UploadTicket,
                at,
                correlation_id=message.id,
                assignment_id=message.assignment_id,
                observation_id=f"obs-{self.assignments}",
                sequence=message.sequence,
                url=f"/uploads/frames?observation=obs-{self.assignments}"
                f"&assignment={message.assignment_id}&sequence={message.sequence}",
                max_bytes=2147483648,
                sha256=message.sha256,
            )
            return {}, [ticket], ""
        if isinstance(command, c.RecordFrameUploaded):
            self.known.add(command.message.sequence)
            return {"frame_id": command.message.frame_id}, [], ""
        if isinstance(command, c.CompleteAssignment):
            self.state = "completed"
            return (
                {"observation_state": "completed"},
                [],
                "in_progress -> acquisition_complete -> completed (all frames uploaded)",
            )
        if isinstance(command, c.InterruptAssignment):
            reason = command.message.reason
            before = self.state
            self.state = "suspended" if reason in {"weather", "safety"} else "pending"
            result = {"observation_state": self.state}
            return result, [], f"{before} -> {self.state} (progress kept)"
        if isinstance(command, c.ResumeAssignment):
            self.state = "in_progress"
            return {"observation_state": "in_progress"}, [], "suspended -> in_progress"
        if isinstance(command, c.RecordStatus):
            reported = command.message
            return {}, [], f"{reported.operational_state}, {reported.safety}"
        return {}, [], ""


def m_state(value: str) -> Any:
    from domain.observations.states import ObservationState

    return ObservationState(value)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def open_ready(world: World, when: datetime, report: dict[str, Any] | None = None) -> None:
    world.connect(when)
    await world.hello(when)
    await world.send("state_report", when, **(report or {"assignment_id": None}))


async def status(world: World, when: datetime, state: str, safety: str = "safe") -> None:
    await world.send(
        "status",
        when,
        operational_state=state,
        safety=safety,
        operations_enabled=True,
        devices={"camera": {"connected": True, "name": "ZWO ASI2600MM Pro"}},
        telemetry={"camera_temperature_c": -10.0, "cloud_cover_percent": 5.0},
    )


async def accept(world: World, when: datetime) -> None:
    assignment = (await world.outbox.pending(OBSERVATORY))[-1]
    await world.send("ack", when, correlation_id=assignment.id)
    await world.send("assignment_accepted", when, assignment_id=assignment.assignment_id)  # type: ignore[union-attr]


async def frame(world: World, when: datetime, sequence: int, *, upload: bool = True) -> str:
    asg = world.assignment_id
    await world.send(
        "exposure_started",
        when,
        assignment_id=asg,
        sequence=sequence,
        target_index=0,
        exposure_index=0,
        filter="L",
        exposure_s=60.0,
    )
    finished = await world.send(
        "exposure_finished",
        when + timedelta(seconds=65),
        assignment_id=asg,
        sequence=sequence,
        outcome="captured",
        file_name=f"M42_L_60s_{sequence:04d}.fits",
        size_bytes=52_436_160,
        sha256=SHA[sequence - 1],
        hfr_px=2.1,
        star_count=812,
    )
    if upload:
        await uploaded(world, when + timedelta(seconds=70), sequence)
    return finished


async def uploaded(world: World, when: datetime, sequence: int) -> None:
    world.note(
        f"plugin: POST /uploads/frames?...&sequence={sequence} "
        f'(Bearer key, X-Content-SHA256) -> 201 {{"frameId": "frm-{sequence}"}}'
    )
    await world.send(
        "frame_uploaded",
        when,
        assignment_id=world.assignment_id,
        sequence=sequence,
        frame_id=f"frm-{sequence}",
        sha256=SHA[sequence - 1],
    )


async def happy_path() -> list[str]:
    world = World()
    await open_ready(world, at(0))
    await status(world, at(0.1), "ready")
    await world.send("request_work", at(0.2))
    await accept(world, at(0.3))
    await frame(world, at(1), 1)
    await world.send("heartbeat", at(2.25))
    await frame(world, at(2.5), 2)
    await world.send("assignment_complete", at(4), assignment_id="asg-1", frames_captured=[1, 2])
    await world.send("goodbye", at(5), reason="shutdown")
    return world.lines


async def reconnect_mid_assignment() -> list[str]:
    world = World(count=3)
    await open_ready(world, at(0))
    await world.send("request_work", at(0.2))
    await accept(world, at(0.3))
    await frame(world, at(1), 1)
    finished = await frame(world, at(2.5), 2, upload=False)
    lost = world.lines[-2:]
    world.lines[-2:] = ["## the connection drops: the plugin never receives these two"]
    world.lines.extend("## " + line for line in lost)
    await world.carry_out(world.session.connection_lost(at(4)), at(4))
    world.lines.append("## 40 s later, within the 300 s grace, the plugin reconnects")
    await open_ready(
        world,
        at(4) + timedelta(seconds=40),
        {
            "assignment_id": "asg-1",
            "frames_captured": [1, 2],
            "frames_uploaded": [1],
            "unacked_message_ids": [finished],
        },
    )
    when = at(4) + timedelta(seconds=41)
    await world.send(
        "exposure_finished",
        when,
        id=finished,
        assignment_id="asg-1",
        sequence=2,
        outcome="captured",
        file_name="M42_L_60s_0002.fits",
        size_bytes=52_436_160,
        sha256=SHA[1],
        hfr_px=2.1,
        star_count=812,
    )
    await uploaded(world, when + timedelta(seconds=5), 2)
    return world.lines


async def weather_hold() -> list[str]:
    world = World()
    await open_ready(world, at(0))
    await world.send("request_work", at(0.2))
    await accept(world, at(0.3))
    await frame(world, at(1), 1)
    await status(world, at(3), "weather_hold", "unsafe")
    await world.send(
        "assignment_interrupted",
        at(3),
        assignment_id="asg-1",
        reason="weather",
        frames_captured=[1],
        message="cloud sensor: overcast",
    )
    await world.send("heartbeat", at(3.5))
    world.lines.append("## ... a heartbeat every 30 s while the dome stays closed ...")
    await status(world, at(40), "observing")
    await world.send("assignment_resumed", at(40), assignment_id="asg-1")
    await frame(world, at(41), 2)
    await world.send("assignment_complete", at(43), assignment_id="asg-1", frames_captured=[1, 2])
    return world.lines


async def preemption() -> list[str]:
    world = World(count=20)
    await open_ready(world, at(0))
    await world.send("request_work", at(0.2))
    await accept(world, at(0.3))
    await world.send(
        "exposure_started",
        at(1),
        assignment_id="asg-1",
        sequence=1,
        target_index=0,
        exposure_index=0,
        filter="L",
        exposure_s=60.0,
    )
    world.note("server: a time-critical observation preempts asg-1")
    abort = world.session.compose(
        m.Abort,
        at(1.5),
        assignment_id="asg-1",
        reason=m.AbortReason.PREEMPTION,
        stop="after_current_exposure",
        message="time-critical observation SN 2026abc",
    )
    await world.pushed(abort, at(1.5))
    await world.send("ack", at(1.5), correlation_id=abort.id)
    await world.send(
        "exposure_finished",
        at(2.1),
        assignment_id="asg-1",
        sequence=1,
        outcome="captured",
        file_name="M42_L_60s_0001.fits",
        size_bytes=52_436_160,
        sha256=SHA[0],
    )
    await uploaded(world, at(2.2), 1)
    await world.send(
        "assignment_interrupted",
        at(2.3),
        assignment_id="asg-1",
        reason="server",
        frames_captured=[1],
    )
    await world.send("request_work", at(2.4))
    await accept(world, at(2.5))
    return world.lines


SCENARIOS: dict[str, Callable[[], Any]] = {
    "happy-path": happy_path,
    "reconnect-mid-assignment": reconnect_mid_assignment,
    "weather-hold": weather_hold,
    "preemption": preemption,
}


def transcripts() -> dict[str, str]:
    """Each scenario's transcript, as the text of the document's block."""
    return {name: "\n".join(asyncio.run(run())) for name, run in SCENARIOS.items()}


def _table(codes: dict[Any, m.CodeDoc], head: str, retry: str) -> str:
    rows = [f"| {head} | meaning | what the plugin should do | {retry} |", "|---|---|---|---|"]
    for code, doc in codes.items():
        error = isinstance(code, m.ErrorCode)
        name = f"`{code.value}`" if error else f"{int(code)} `{code.name}`"
        again = "yes" if doc.retryable else "no"
        rows.append(f"| {name} | {doc.meaning} | {doc.plugin_action} | {again} |")
    return "\n".join(rows)


def generated() -> dict[str, str]:
    """Every generated block of the document, by marker name, markers included."""
    blocks = {f"transcript:{name}": f"```text\n{text}\n```" for name, text in transcripts().items()}
    blocks["table:error-codes"] = _table(m.ERROR_CODES, "`code`", "resend same id")
    blocks["table:close-codes"] = _table(m.CLOSE_CODES, "close code", "reconnect")
    return {name: f"<!-- {name} -->\n{body}\n<!-- /{name} -->" for name, body in blocks.items()}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- {re.escape(name)} -->\n.*?<!-- /{re.escape(name)} -->", re.DOTALL)


def update(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    for name, body in generated().items():

        def replacement(_: re.Match[str], body: str = body) -> str:
            return body

        text, count = _pattern(name).subn(replacement, text)
        if count != 1:
            raise SystemExit(f"{document}: no single block <!-- {name} -->")
    document.write_text(text, encoding="utf-8")


def blocks_in(document: Path) -> dict[str, str]:
    text = document.read_text(encoding="utf-8")
    found = {}
    for name in generated():
        match = _pattern(name).search(text)
        found[name] = match.group(0) if match else ""
    return found


if __name__ == "__main__":
    update(Path(sys.argv[1]))
    print(json.dumps(sorted(generated())))
