"""A frame that breaks a step fails alone; a frame whose queue was lost is swept back in."""

from __future__ import annotations

from pathlib import Path

from domain.frames.frame import Frame, FrameState, Step, StepStatus
from science_scheduler.services import Services
from tests.engines import running_cli
from tests.pipeline.conftest import Api, flush_redis, processed, stored_keys, upload
from tests.pipeline.world import World, fits_file, orion_frame, poison_file, sha256


def _statuses(frame: Frame) -> list[tuple[str, StepStatus, int]]:
    return [(step.value, frame.steps.of(step).status, frame.steps.of(step).tries) for step in Step]


async def test_a_poison_file_fails_after_its_tries_and_blocks_nothing(
    api: Api, worker: None, world: World, services: Services
) -> None:
    # given: a .fits.fz whose header is valid but whose compressed tiles are garbage
    poison = poison_file()
    good = fits_file(orion_frame(seed=10))
    token = world.token(world.user)
    observation = str(world.observation.id)

    # when: it is uploaded, and a good frame right after it
    bad = await upload(
        api, poison, credential=token, digest=sha256(poison), observation=observation, sequence="1"
    )
    fine = await upload(
        api, good, credential=token, digest=sha256(good), observation=observation, sequence="2"
    )
    good_frame = await processed(fine.json()["frameId"])
    failed = await processed(bad.json()["frameId"])

    # then: the poison ends failed with the reason after three tries, the rest skipped
    assert (bad.status_code, fine.status_code) == (201, 201)
    assert failed.state is FrameState.FAILED
    assert _statuses(failed) == [
        ("ingest", StepStatus.FAILED, 3),
        ("quality", StepStatus.SKIPPED, 0),
        ("solve", StepStatus.SKIPPED, 0),
        ("preview", StepStatus.SKIPPED, 0),
        ("grade", StepStatus.SKIPPED, 0),
    ]
    assert failed.steps.ingest.error == (
        "failed after 3 tries: BadGzipFile: Not a gzipped file (b'\\xaa\\xaa')"
    )
    assert failed.steps.quality.error == "needs the ingest step, which failed"
    # its staged upload is kept for inspection; nothing else of it was stored
    assert failed.staging_key is not None
    keys = await stored_keys(services)
    assert [k for k in keys if str(failed.id) in k] == [failed.staging_key]
    # and the good frame went all the way through
    assert good_frame.state is FrameState.DONE
    assert [s for _, s, _ in _statuses(good_frame)] == [StepStatus.DONE] * 5


async def test_the_sweeper_requeues_a_frame_whose_queue_was_lost(
    api: Api, world: World, services: Services, pipeline_env: dict[str, str], tmp_path: Path
) -> None:
    # given: a frame uploaded while no worker runs, then Redis loses every queued job
    body = fits_file(orion_frame(seed=11))
    answer = await upload(
        api,
        body,
        credential=world.token(world.user),
        digest=sha256(body),
        observation=str(world.observation.id),
    )
    frame_id = answer.json()["frameId"]
    flush_redis(pipeline_env["REDIS_URL"])

    # when: a worker starts whose sweeper looks every 2 s for frames idle for 1 s
    sweeping = {"SCHEDULER_PIPELINE_SWEEP_SECONDS": "2", "SCHEDULER_PIPELINE_STUCK_SECONDS": "1"}
    with running_cli(["worker"], {**pipeline_env, **sweeping}, tmp_path / "sweeper.log"):
        frame = await processed(frame_id, timeout_s=120)

    # then: it was re-queued once from MongoDB's state and completed
    assert answer.status_code == 201
    assert frame.state is FrameState.DONE
    assert [s for _, s, _ in _statuses(frame)] == [StepStatus.DONE] * 5
    assert frame.sweeps == 1
