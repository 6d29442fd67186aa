"""The durable local state: what survives a restart of the simulator."""

from __future__ import annotations

from pathlib import Path

from science_scheduler.simulator.effects import UploadJob
from science_scheduler.simulator.store import StateStore, UploadQueue

JOB = UploadJob("asg-1", "ob-1", 3, "M42_L_60s_0003.fits", "/uploads/frames?sequence=3", "ab" * 32)


def test_the_upload_queue_survives_a_restart_and_keeps_each_frame_once(tmp_path: Path) -> None:
    # given a frame queued twice (a ticket and a reconciliation) and another one
    queue = UploadQueue(tmp_path / "uploads")
    queue.add(JOB)
    queue.add(JOB)
    other = UploadJob("asg-1", "ob-1", 4, "f4.fits", "/uploads/frames?sequence=4", "cd" * 32)
    queue.add(other)

    # when the simulator starts again
    reopened = UploadQueue(tmp_path / "uploads")

    # then both are waiting, once each, oldest first; done and refused ones leave the queue
    assert reopened.jobs() == [JOB, other]
    reopened.done(JOB)
    reopened.refuse(other)
    assert reopened.jobs() == []
    assert [path.name for path in (tmp_path / "uploads" / "refused").iterdir()] == [
        f"{other.key}.json"
    ]


def test_a_rotated_key_is_kept_until_another_key_is_given(tmp_path: Path) -> None:
    # given a state that received a new key over the socket
    store = StateStore(tmp_path)
    state = store.load("sso_given_on_the_command_line")
    state.api_key = "sso_rotated_by_the_server"
    store.save(state)

    # when the simulator restarts with the same key, and later with another one
    again = StateStore(tmp_path).load("sso_given_on_the_command_line")
    changed = StateStore(tmp_path).load("sso_a_new_key_from_the_admin")

    # then the rotated key is used, until the user passes a different key
    assert again.api_key == "sso_rotated_by_the_server"
    assert again.machine_id == state.machine_id
    assert changed.api_key == "sso_a_new_key_from_the_admin"
