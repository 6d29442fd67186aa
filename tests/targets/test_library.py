"""The Target Library over the real MongoDB-wire engine: save, search, delete, resolve order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from beanie import PydanticObjectId

from domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from domain.targets.catalogue import ResolvedTarget, TargetNotFound
from domain.targets.library import (
    LibraryTarget,
    delete_library_target,
    resolve_target_name,
    save_library_target,
    search_library,
)

ORG = PydanticObjectId("650000000000000000000001")
OTHER_ORG = PydanticObjectId("650000000000000000000002")
ALICE = PydanticObjectId("660000000000000000000001")


async def _names(organization_id: PydanticObjectId, text: str, limit: int = 20) -> list[str]:
    return [target.name for target in await search_library(organization_id, text, limit)]


async def _stored() -> list[tuple[PydanticObjectId, str]]:
    targets = await LibraryTarget.find_all().sort("name_key").to_list()
    return [(target.organization_id, target.name) for target in targets]


@pytest.mark.usefixtures("services")
async def test_save_stores_a_normalised_target() -> None:
    # given (MongoDB keeps milliseconds)
    now = datetime.now(UTC)
    before = now.replace(microsecond=now.microsecond // 1000 * 1000)

    # when
    saved = await save_library_target(
        ORG,
        ALICE,
        "  Horsehead   Mosaic ",
        85.2458,
        -2.4583,
        notes=" panel 1 of 4 ",
        tags=["mosaic", " narrowband ", "mosaic"],
        priority=7,
    )

    # then
    stored = await LibraryTarget.get(saved.id)
    assert stored is not None
    assert (
        stored.organization_id,
        stored.name,
        stored.name_key,
        stored.ra_deg,
        stored.dec_deg,
        stored.notes,
        stored.tags,
        stored.priority,
        stored.created_by,
    ) == (
        ORG,
        "Horsehead Mosaic",
        "horsehead mosaic",
        85.2458,
        -2.4583,
        "panel 1 of 4",
        ["mosaic", "narrowband"],
        7,
        ALICE,
    )
    assert before <= stored.created_at <= datetime.now(UTC)


@pytest.mark.usefixtures("services")
async def test_a_name_differing_only_in_case_and_spacing_conflicts() -> None:
    # given
    await save_library_target(ORG, ALICE, "Horsehead Mosaic", 85.2458, -2.4583)

    # when
    with pytest.raises(Conflict) as raised:
        await save_library_target(ORG, ALICE, "HORSEHEAD  mosaic", 10.0, 10.0)

    # then
    assert raised.value.message == (
        "the target library already has a target named 'HORSEHEAD mosaic'"
    )
    assert await _stored() == [(ORG, "Horsehead Mosaic")]


@pytest.mark.usefixtures("services")
async def test_the_same_name_is_allowed_in_another_organization() -> None:
    # given
    await save_library_target(ORG, ALICE, "Horsehead Mosaic", 85.2458, -2.4583)

    # when
    await save_library_target(OTHER_ORG, ALICE, "horsehead mosaic", 85.0, -2.0)

    # then
    assert await _stored() == [(ORG, "Horsehead Mosaic"), (OTHER_ORG, "horsehead mosaic")]


@pytest.mark.usefixtures("services")
async def test_invalid_fields_are_all_reported_and_nothing_is_stored() -> None:
    # when
    with pytest.raises(ValidationFailed) as raised:
        await save_library_target(
            ORG,
            ALICE,
            "   ",
            360.0,
            -90.5,
            notes="x" * 10_001,
            tags=["ok", "", "y" * 51],
            priority=11,
        )

    # then
    assert raised.value.problems == [
        FieldProblem(("name",), "must be 1 to 200 characters"),
        FieldProblem(("ra",), "must be at least 0 and less than 360 degrees"),
        FieldProblem(("dec",), "must be between -90 and +90 degrees"),
        FieldProblem(("notes",), "must be at most 10000 characters"),
        FieldProblem(("tags", "1"), "must be 1 to 50 characters"),
        FieldProblem(("tags", "2"), "must be 1 to 50 characters"),
        FieldProblem(("priority",), "must be between 1 and 10"),
    ]
    assert await _stored() == []


@pytest.mark.usefixtures("services")
@pytest.mark.parametrize(
    ("ra_deg", "dec_deg", "priority", "problems"),
    [
        (float("nan"), 0.0, None, [("ra", "must be at least 0 and less than 360 degrees")]),
        (-0.001, 0.0, None, [("ra", "must be at least 0 and less than 360 degrees")]),
        (0.0, float("inf"), None, [("dec", "must be between -90 and +90 degrees")]),
        (0.0, 0.0, 0, [("priority", "must be between 1 and 10")]),
        (0.0, 0.0, True, [("priority", "must be between 1 and 10")]),
    ],
)
async def test_edge_values_are_refused(
    ra_deg: float, dec_deg: float, priority: int | None, problems: list[tuple[str, str]]
) -> None:
    # when
    with pytest.raises(ValidationFailed) as raised:
        await save_library_target(ORG, ALICE, "Edge", ra_deg, dec_deg, priority=priority)

    # then
    assert raised.value.problems == [FieldProblem((path,), msg) for path, msg in problems]
    assert await _stored() == []


@pytest.mark.usefixtures("services")
async def test_the_boundaries_are_accepted() -> None:
    # when
    await save_library_target(ORG, ALICE, "South pole", 0.0, -90.0, priority=1)
    await save_library_target(ORG, ALICE, "North pole", 359.999999, 90.0, priority=10)

    # then
    assert await _stored() == [(ORG, "North pole"), (ORG, "South pole")]


@pytest.mark.usefixtures("services")
async def test_search_puts_prefix_matches_first_then_substring_matches() -> None:
    # given
    for name in ["Veil East", "Eastern Veil Panel", "NGC 6992 east", "Western Veil", "Beast"]:
        await save_library_target(ORG, ALICE, name, 312.0, 31.0)
    await save_library_target(OTHER_ORG, ALICE, "East of another org", 1.0, 1.0)

    # when
    found = await _names(ORG, "EAST")

    # then
    assert found == ["Eastern Veil Panel", "Beast", "NGC 6992 east", "Veil East"]


@pytest.mark.usefixtures("services")
async def test_search_limits_and_empty_text_lists_the_library_by_name() -> None:
    # given
    for name in ["c target", "A target", "b target", "target zero"]:
        await save_library_target(ORG, ALICE, name, 10.0, 10.0)

    # when
    everything = await _names(ORG, "")
    first_two = await _names(ORG, "", limit=2)
    limited_mix = await _names(ORG, "target", limit=2)
    clamped = await _names(ORG, "target", limit=0)

    # then
    assert everything == ["A target", "b target", "c target", "target zero"]
    assert first_two == ["A target", "b target"]
    assert limited_mix == ["target zero", "A target"]
    assert clamped == ["target zero"]


@pytest.mark.usefixtures("services")
async def test_search_text_is_literal_not_a_regular_expression() -> None:
    # given
    await save_library_target(ORG, ALICE, "Sh2-129 (Flying Bat)", 320.0, 60.0)
    await save_library_target(ORG, ALICE, "Sh2 129", 320.0, 60.0)

    # when
    found = await _names(ORG, "2-129 (")
    none = await _names(ORG, ".*")

    # then
    assert found == ["Sh2-129 (Flying Bat)"]
    assert none == []


@pytest.mark.usefixtures("services")
async def test_delete_removes_only_the_organizations_target() -> None:
    # given
    mine = await save_library_target(ORG, ALICE, "Mine", 1.0, 1.0)
    theirs = await save_library_target(OTHER_ORG, ALICE, "Theirs", 2.0, 2.0)
    assert mine.id is not None
    assert theirs.id is not None

    # when
    await delete_library_target(ORG, mine.id)
    with pytest.raises(NotFound) as raised:
        await delete_library_target(ORG, theirs.id)

    # then
    assert (raised.value.what, raised.value.id) == ("library target", str(theirs.id))
    assert await _stored() == [(OTHER_ORG, "Theirs")]


@pytest.mark.usefixtures("services")
async def test_resolve_prefers_the_organizations_library_over_the_catalogue() -> None:
    # given a library entry that shadows a Messier name, in one organization only
    await save_library_target(ORG, ALICE, "M31", 11.5, 42.0)

    # when
    from_library = await resolve_target_name(ORG, "m31")
    from_catalogue = await resolve_target_name(OTHER_ORG, "m31")

    # then
    assert from_library == ResolvedTarget(
        name="M31",
        ra_deg=11.5,
        dec_deg=42.0,
        object_type="custom",
        magnitude=None,
        catalogue_ids=(),
        source="library",
    )
    assert (from_catalogue.source, from_catalogue.catalogue_ids) == ("OpenNGC", ("M31", "NGC224"))


@pytest.mark.usefixtures("services")
async def test_resolve_matches_library_names_exactly_ignoring_case_and_spacing() -> None:
    # given
    await save_library_target(ORG, ALICE, "Horsehead Mosaic", 85.2458, -2.4583)

    # when
    exact = await resolve_target_name(ORG, " horsehead   MOSAIC ")

    # then
    assert (exact.name, exact.source, exact.ra_deg, exact.dec_deg) == (
        "Horsehead Mosaic",
        "library",
        85.2458,
        -2.4583,
    )
    with pytest.raises(TargetNotFound) as raised:
        await resolve_target_name(ORG, "Horsehead")
    assert raised.value.name == "Horsehead"
