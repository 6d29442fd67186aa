"""The simulator's client against the real protocol core, in process (no network)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from plugin_bridge import messages as m
from science_scheduler.simulator.client import ClientConfig, Phase
from science_scheduler.simulator.effects import Send
from science_scheduler.simulator.store import StateStore
from tests.simulator.link import T0, make_link, new_state
from tests.simulator.server import API_KEY, S


def link_time(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_an_observation_runs_from_request_to_completion() -> None:
    # given a server with one pending observation of three frames
    link = make_link([3])
    observation = link.domain.observations[0]

    # when the simulated observatory connects and works
    await link.connect()
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then the observation went through every state of a normal run
    assert [step[1] for step in observation.history] == [
        S.ASSIGNED,
        S.IN_PROGRESS,
        S.ACQUISITION_COMPLETE,
        S.COMPLETED,
    ]
    assert sorted(link.domain.uploads) == [("ob-1", 1), ("ob-1", 2), ("ob-1", 3)]
    # every message was applied once, and everything the plugin sent was acked
    assert set(link.domain.applied.values()) == {1}
    assert link.client.state.outgoing == []
    assert link.client.state.run is None
    assert link.domain.reconciliations == [m.DecisionKind.IDLE]
    assert link.domain.statuses[0].operational_state is m.OperationalState.READY


async def test_no_work_is_asked_again_only_after_retry_after() -> None:
    # given a server with nothing to observe
    link = make_link([])
    await link.connect()

    # when the observatory asks for work and two minutes pass
    await link.run_until(lambda: len(link.sent("request_work")) == 1)
    first = link.now
    await link.run_until(lambda: len(link.sent("request_work")) == 2)

    # then it asked again 60 s (the server's retry_after_s) later, not before
    retry_after = next(f for f in link.server_frames if f["type"] == "no_work")["retry_after_s"]
    assert retry_after == 60
    assert (link.now - first).total_seconds() == 60


async def test_a_report_whose_ack_is_lost_is_resent_with_its_id_and_applied_once() -> None:
    # given the connection dies right after the server applied the first exposure_finished
    link = make_link([2])
    link.cut_after = lambda message: (
        isinstance(message, m.Ack)
        and any(
            f["id"] == message.correlation_id and f["type"] == "exposure_finished"
            for f in link.plugin_frames
        )
    )
    observation = link.domain.observations[0]
    await link.connect()

    # when the observatory reconnects and carries on
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then the report went twice with one id, was applied once, and the run continued
    finished = [f for f in link.sent("exposure_finished") if f["sequence"] == 1]
    assert len(finished) == 2
    assert finished[0]["id"] == finished[1]["id"]
    assert finished[0]["ts"] == finished[1]["ts"]
    assert finished[1]["seq"] != finished[0]["seq"]
    reports = link.sent("state_report")
    assert reports[1]["assignment_id"] == "asg-1"
    assert finished[0]["id"] in reports[1]["unacked_message_ids"]
    assert link.domain.reconciliations == [m.DecisionKind.IDLE, m.DecisionKind.CONTINUE]
    assert set(link.domain.applied.values()) == {1}
    assert sorted(link.domain.uploads) == [("ob-1", 1), ("ob-1", 2)]


async def test_duplicated_messages_have_one_effect() -> None:
    # given a plugin that sends every message twice
    config = ClientConfig(capabilities=m.Capabilities(filters=["L"]), duplicate_rate=1.0)
    link = make_link([2], config=config)
    observation = link.domain.observations[0]

    # when it runs the observation
    await link.connect()
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then each message went out twice but was applied once
    assert len(link.sent("assignment_accepted")) == 2
    assert set(link.domain.applied.values()) == {1}
    assert [step[1] for step in observation.history] == [
        S.ASSIGNED,
        S.IN_PROGRESS,
        S.ACQUISITION_COMPLETE,
        S.COMPLETED,
    ]


async def test_a_late_ack_lost_with_the_connection_gets_the_command_again_but_runs_it_once() -> (
    None
):
    # given a plugin that acks commands 5 s late, and a connection that dies before that
    config = ClientConfig(capabilities=m.Capabilities(filters=["L"]), ack_delay_s=5.0)
    link = make_link([2], config=config)
    observation = link.domain.observations[0]
    await link.connect()
    await link.run_until(lambda: observation.state == S.IN_PROGRESS)
    await link.drop()

    # when it reconnects
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then the server resent the assignment (same id), the plugin acked it, ran it once
    assignments = [f for f in link.server_frames if f["type"] == "assignment"]
    assert len(assignments) == 2
    assert assignments[0]["id"] == assignments[1]["id"]
    acks = [f for f in link.sent("ack") if f["correlation_id"] == assignments[0]["id"]]
    assert len(acks) == 1
    assert len(link.sent("assignment_accepted")) == 1
    assert [f["sequence"] for f in link.sent("exposure_started")] == [1, 2]
    assert link.outbox.commands.get("obs-7", {}) == {}


async def test_weather_suspends_the_run_and_it_resumes_when_safe() -> None:
    # given clouds from 100 s to 400 s after the start
    config = ClientConfig(
        capabilities=m.Capabilities(filters=["L"]),
        unsafe_periods=((link_time(100), link_time(400)),),
    )
    link = make_link([4], config=config)
    observation = link.domain.observations[0]

    # when the observatory works through the night
    await link.connect()
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then the observation was suspended with its progress and resumed
    assert [step[1] for step in observation.history] == [
        S.ASSIGNED,
        S.IN_PROGRESS,
        S.SUSPENDED,
        S.IN_PROGRESS,
        S.ACQUISITION_COMPLETE,
        S.COMPLETED,
    ]
    states = [(s.operational_state, s.safety) for s in link.domain.statuses]
    assert (m.OperationalState.WEATHER_HOLD, m.SafetyState.UNSAFE) in states
    # the exposure cut by the clouds failed; its sequence is never reused
    started = [f["sequence"] for f in link.sent("exposure_started")]
    assert started == [1, 2, 3, 4, 5]
    failed = [f["sequence"] for f in link.sent("exposure_finished") if f["outcome"] == "failed"]
    assert failed == [2]
    assert sorted(sequence for _, sequence in link.domain.uploads) == [1, 3, 4, 5]


async def test_a_server_abort_stops_after_the_exposure_uploads_and_reports_it() -> None:
    # given an observatory in the middle of the first exposure of three
    link = make_link([3])
    observation = link.domain.observations[0]
    await link.connect()
    await link.run_until(lambda: observation.state == S.IN_PROGRESS)
    assert link.session is not None

    # when the server aborts the run after the current exposure
    abort = link.session.compose(
        m.Abort,
        link.now,
        assignment_id="asg-1",
        reason=m.AbortReason.PREEMPTION,
        stop="after_current_exposure",
    )
    await link.push(abort)
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then it acked, finished and uploaded the frame, reported the interruption (-> pending),
    # and when the observation came back it went on from the next sequence
    assert any(f["correlation_id"] == abort.id for f in link.sent("ack"))
    interrupted = link.sent("assignment_interrupted")
    assert [(f["reason"], f["frames_captured"]) for f in interrupted] == [("server", [1])]
    assert [step[1] for step in observation.history] == [
        S.ASSIGNED,
        S.IN_PROGRESS,
        S.PENDING,
        S.ASSIGNED,
        S.IN_PROGRESS,
        S.ACQUISITION_COMPLETE,
        S.COMPLETED,
    ]
    assert [f["sequence"] for f in link.sent("exposure_started")] == [1, 2, 3]
    assert sorted(link.domain.uploads) == [("ob-1", 1), ("ob-1", 2), ("ob-1", 3)]


async def test_a_restarted_simulator_resumes_from_its_state_directory(tmp_path: Path) -> None:
    # given an observatory that captured a frame and saved its state, then died
    store = StateStore(tmp_path)
    link = make_link([3], state=store.load(API_KEY))
    observation = link.domain.observations[0]
    await link.connect()
    await link.run_until(lambda: len(observation.accepted) == 1)
    store.save(link.client.state)
    await link.drop()

    # when a new simulator starts from the same directory
    restarted = make_link([3], state=store.load(API_KEY), id_prefix="q")
    restarted.domain, restarted.dedup, restarted.outbox = link.domain, link.dedup, link.outbox
    restarted.server_ids = link.server_ids
    restarted.now = link.now
    await restarted.plugin_effects(restarted.client.restarted(restarted.now))
    await restarted.connect()
    await restarted.run_until(lambda: observation.state == S.COMPLETED)

    # then it reported what it held, was told to continue, and finished the run
    report = restarted.sent("state_report")[0]
    assert report["assignment_id"] == "asg-1"
    assert report["frames_captured"] == [1]
    assert report["frames_uploaded"] == [1]
    assert link.domain.reconciliations[-1] == m.DecisionKind.CONTINUE
    # the exposure under way at the crash was lost: reported failed, its sequence not reused
    lost = [f for f in restarted.sent("exposure_finished") if f["outcome"] == "failed"]
    assert [f["sequence"] for f in lost] == [2]
    assert sorted(link.domain.uploads) == [("ob-1", 1), ("ob-1", 3), ("ob-1", 4)]
    assert set(link.domain.applied.values()) == {1}


async def test_an_assignment_taken_back_while_offline_is_dropped() -> None:
    # given an observatory that goes offline during its run
    link = make_link([3])
    observation = link.domain.observations[0]
    await link.connect()
    await link.run_until(lambda: len(observation.accepted) == 1)
    await link.drop()
    link.client.phase = Phase.STOPPED  # stays away for now

    # when the server takes the observation back meanwhile and the plugin then returns
    observation.assignment_id = None
    observation.move(S.PENDING, "offline grace period passed")
    link.client.phase = Phase.DISCONNECTED
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then the stale assignment was ignored and the observation re-dispatched, progress kept
    assert link.domain.reconciliations[:2] == [m.DecisionKind.IDLE, m.DecisionKind.IGNORE_STALE]
    assignments = [f for f in link.server_frames if f["type"] == "assignment"]
    assert [(a["assignment_id"], a["first_sequence"]) for a in assignments] == [
        ("asg-1", 1),
        ("asg-2", 3),
    ]
    assert observation.accepted == {1, 3, 4}


async def test_a_bad_api_key_stops_the_simulator_without_reconnecting() -> None:
    # given a simulator with a key the server does not know
    link = make_link([1], state=new_state("sso_not_a_known_key"))

    # when it connects
    await link.connect()
    for _ in range(5):
        await link.step()

    # then it was refused (4003) and stopped instead of reconnecting
    assert link.closes == [4003]
    assert link.stopped is not None
    assert "4003" in link.stopped
    assert len(link.sent("hello")) == 1
    assert link.domain.applied == {}


async def test_an_outdated_plugin_stops_and_runs_nothing() -> None:
    # given a server that needs plugin 2.0 and a simulator announcing 1.0.0
    link = make_link([1])
    link.min_plugin_version = "2.0"

    # when it connects
    await link.connect()
    await link.step()

    # then it was told to update (4002) and stopped
    assert link.closes == [4002]
    nack = next(f for f in link.server_frames if f["type"] == "nack")
    assert nack["code"] == "plugin_outdated"
    assert link.stopped is not None


async def test_frames_uploaded_after_a_reconnect_still_complete_the_observation() -> None:
    # given a run whose capture finished while the uploads were stuck, and a connection that
    # dies right after the server applied assignment_complete
    link = make_link([2])
    observation = link.domain.observations[0]
    link.uploads_paused = True
    link.cut_after = lambda message: (
        isinstance(message, m.Ack)
        and any(
            f["id"] == message.correlation_id and f["type"] == "assignment_complete"
            for f in link.plugin_frames
        )
    )
    await link.connect()
    await link.run_until(lambda: link.domain.reconciliations[-1:] == [m.DecisionKind.COMPLETE])
    assert observation.state == S.ACQUISITION_COMPLETE

    # when the uploads go through after the reconnect
    link.uploads_paused = False
    await link.run_until(lambda: observation.state == S.COMPLETED)

    # then the reports of those uploads completed the observation; the run is forgotten
    assert [f["sequence"] for f in link.sent("frame_uploaded")] == [1, 2]
    assert sorted(link.domain.uploads) == [("ob-1", 1), ("ob-1", 2)]
    assert link.client.state.run is None


async def test_a_rotated_key_is_stored_acked_and_used_on_the_next_connection() -> None:
    # given a connected observatory
    link = make_link([])
    await link.connect()
    await link.step()
    assert link.session is not None

    # when an administrator rotates its key
    issued = link.session.compose(
        m.ApiKeyIssued,
        link.now,
        reason="rotation",
        observatory_id="obs-7",
        api_key="sso_the_rotated_key_0002",
    )
    await link.push(issued)
    await link.drop()
    link.stopped = "stay away"  # the scripted server knows only the old key

    # then the plugin stored the key before acking it, and says hello with it next time
    assert link.client.state.api_key == "sso_the_rotated_key_0002"
    assert any(f["correlation_id"] == issued.id for f in link.sent("ack"))
    assert link.outbox.commands["obs-7"] == {}
    (hello,) = [effect for effect in link.client.connected(link.now) if isinstance(effect, Send)]
    assert '"api_key": "sso_the_rotated_key_0002"' in hello.text
