"""The web client in real headless chromium against the real server and worker."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gui.browser import Gui, access_token, graphql
from tests.pipeline.world import fits_file, orion_frame, sha256

CANCEL = """mutation($id: ID!) {
  cancelObservation(input: {id: $id, reason: "weather closed in"}) { __typename }
}"""


def _admin_setup(gui: Gui, latitude: str = "-30.2", longitude: str = "-70.7") -> str:
    """An organization, a project and an observatory made through the GUI; its API key."""
    page = gui.page
    page.get_by_role("link", name="Administration").click()
    page.get_by_label("Organization name").fill("Orion Club")
    page.get_by_label("Short name").fill("orion-club")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("cell", name="Orion Club", exact=True)).to_be_visible()
    page.get_by_label("Project name").fill("Nebulae")
    page.get_by_label("Project code").fill("NEB-1")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("cell", name="NEB-1", exact=True)).to_be_visible()

    page.get_by_role("link", name="Observatories").click()
    expect(page.get_by_text("No observatories yet")).to_be_visible()
    page.get_by_label("Observatory name").fill("South One")
    page.get_by_label("Code").fill("south-1")
    page.get_by_label("Latitude (°)").fill(latitude)
    page.get_by_label("Longitude (°, east positive)").fill(longitude)
    page.get_by_label("Focal length (mm)").fill("258.5")
    page.get_by_label("Pixel size (µm)").fill("3.76")
    page.get_by_role("button", name="Add horizon point").click()
    page.get_by_label("Point 1 azimuth (°)").fill("90")
    page.get_by_label("Point 1 altitude (°)").fill("20")
    page.get_by_role("button", name="Register observatory").click()
    key = page.get_by_test_id("observatory-key")
    expect(key).to_contain_text(re.compile(r"sso_[0-9a-f]+"))
    expect(page.get_by_role("link", name="South One", exact=True)).to_be_visible()
    found = re.search(r"sso_[0-9a-f]+", key.inner_text())
    assert found is not None
    return found.group(0)


def test_sign_in_create_m42_and_watch_it_live(gui: Gui, worker: None) -> None:
    page = gui.page
    # given: a signed-in administrator with an organization, a project and an observatory
    gui.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.get_by_text("No observations yet")).to_be_visible()
    _admin_setup(gui)
    gui.screenshot("observatories")

    # when: an observation for M42 is made by name, first with a count of zero
    page.get_by_role("link", name="Observations").click()
    expect(page.get_by_text("No observations match these filters.")).to_be_visible()
    page.get_by_role("link", name="New observation").click()
    page.get_by_label(re.compile(r"^Name")).fill("Orion Nebula")
    page.get_by_label("Target 1 name").fill("M42")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_test_id("lookup-0")).to_contain_text("5:35")
    page.get_by_label("Count (target 1, set 1)").fill("0")
    page.get_by_role("button", name="Save as draft").click()

    # then: the rule broken is shown next to the count field
    count = page.get_by_label("Count (target 1, set 1)")
    expect(count).to_have_attribute("aria-invalid", "true")
    expect(count).to_have_accessible_description(re.compile(r"must be from 1 to"))
    gui.screenshot("observation-form-error")

    # when: fixed and saved as a draft, then submitted on its page
    count.fill("10")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", name="Orion Nebula")).to_be_visible()
    state = page.get_by_test_id("state-chip")
    expect(state).to_have_text("Draft")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(state).to_have_text("Pending")
    observation_id = page.url.rsplit("/", 1)[1]

    # when: a frame of the observation is uploaded and processed by the worker
    token = access_token(gui.base_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    body = fits_file(orion_frame(seed=7, width=500, height=350))
    answer = httpx.post(
        f"{gui.base_url}/uploads/frames",
        content=body,
        params={"observation": observation_id, "sequence": "1"},
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/fits",
            "X-Content-SHA256": sha256(body),
        },
        timeout=60,
    )
    assert answer.status_code == 201, answer.text

    # then: its thumbnail appears without reloading the page
    thumbnail = page.get_by_test_id("frame-thumbnail")
    expect(thumbnail).to_be_visible(timeout=180_000)

    # when: the observation is cancelled elsewhere (another client)
    graphql(gui.base_url, CANCEL, token, id=observation_id)

    # then: the page shows it live, with the change in the timeline
    expect(state).to_have_text("Cancelled")
    expect(page.get_by_test_id("history")).to_contain_text("weather closed in")
    gui.screenshot("observation-detail")

    # when: the frame is opened
    thumbnail.click()

    # then: its metrics are shown
    metrics = page.get_by_test_id("frame-metrics")
    expect(metrics).to_contain_text("Stars detected")
    expect(metrics).to_contain_text("FWHM")
    gui.screenshot("frame-viewer")

    # and: the dashboard counts it as cancelled and shows the frame
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("count-CANCELLED")).to_contain_text("1")
    expect(page.get_by_test_id("frame-thumbnail").first).to_be_visible()
    gui.screenshot("dashboard")


def test_main_pages_have_no_serious_accessibility_violations(gui: Gui) -> None:
    page = gui.page
    gui.goto("/")
    expect(page.get_by_role("heading", name="Sign in to Science Scheduler")).to_be_visible()
    problems = {"sign-in": gui.serious_accessibility_violations()}
    gui.screenshot("sign-in")
    gui.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    _admin_setup(gui)
    pages = {
        "dashboard": ("/", "Dashboard"),
        "observations": ("/observations", "Observations"),
        "observation-form": ("/observations/new", "New observation"),
        "administration": ("/admin", "Administration"),
        "profile": ("/profile", "Profile"),
        "observatories-list": ("/observatories", "Observatories"),
    }
    for name, (path, heading) in pages.items():
        gui.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.wait_for_load_state("networkidle")
        problems[name] = gui.serious_accessibility_violations()
        gui.screenshot(name)
    page.get_by_role("link", name="Observatories").click()
    page.get_by_role("link", name="South One", exact=True).click()
    expect(page.get_by_role("heading", name="Night plan")).to_be_visible()
    expect(page.get_by_text("Planning the night…")).to_have_count(0, timeout=60_000)
    page.wait_for_load_state("networkidle")
    problems["observatory"] = gui.serious_accessibility_violations()
    gui.screenshot("observatory")
    assert {name: found for name, found in problems.items() if found} == {}


def test_keyboard_alone_signs_in_and_reaches_the_observations(gui: Gui) -> None:
    page = gui.page
    gui.goto("/")
    # the email field has focus first; Tab moves through the form
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(ADMIN_EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
    # the skip link first, then the navigation: Tab reaches "Observations" within a few steps
    observations = page.get_by_role("link", name="Observations")
    for _ in range(6):
        page.keyboard.press("Tab")
        if observations.evaluate("link => link === document.activeElement"):
            break
    expect(observations).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Observations", exact=True)).to_be_visible()


def test_client_routes_load_the_app_and_server_paths_stay_the_servers(gui: Gui) -> None:
    # given: a deep link into the client, and the server's own paths
    base = gui.base_url
    deep = httpx.get(f"{base}/observations/123456")
    health = httpx.get(f"{base}/healthz")
    missing_asset = httpx.get(f"{base}/assets/nope.js")
    graphql_get = httpx.get(f"{base}/graphql", params={"query": "{ serverInfo { name } }"})

    # then
    assert deep.status_code == 200
    assert '<div id="root">' in deep.text
    assert health.json() == {"status": "ok"}
    assert missing_asset.status_code == 404
    assert graphql_get.json()["data"]["serverInfo"]["name"]


def test_api_keys_are_shown_once_and_password_rules_show_at_their_field(gui: Gui) -> None:
    page = gui.page
    # given
    gui.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    _admin_setup(gui)
    page.get_by_role("link", name="Administration").click()

    # when: a key is created
    page.get_by_label("Key name").fill("nightly export")
    page.get_by_role("checkbox", name="Write").check()
    page.get_by_role("button", name="Create API key").click()

    # then: its secret is shown once, and the list shows only its prefix
    secret = page.get_by_test_id("api-key-secret")
    expect(secret).to_contain_text(re.compile(r"ssk_[0-9a-f]{48}"))
    row = page.get_by_role("row", name=re.compile("nightly export"))
    expect(row).to_contain_text(re.compile(r"ssk_[0-9a-f]{8}"))
    page.get_by_role("button", name="I have copied it").click()
    expect(secret).to_have_count(0)
    gui.screenshot("api-keys")

    # when: it is revoked
    page.get_by_role("button", name="Revoke nightly export").click()

    # then
    expect(row).to_contain_text("revoked")

    # when: a too short new password is given on the profile page
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("Current password").fill(ADMIN_PASSWORD)
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Change password").click()

    # then: the rule is shown at the new password field
    new_password = page.get_by_label("New password")
    expect(new_password).to_have_attribute("aria-invalid", "true")
    expect(new_password).not_to_have_accessible_description("at least 8 characters")


SETUP_ORGANIZATION = """mutation {
  createOrganization(input: {name: "List Club", shortName: "list-club"}) {
    ... on Organization { id }
  }
}"""
SETUP_PROJECT = """mutation($o: ID!) {
  createProject(input: {organizationId: $o, name: "Survey", code: "SURVEY"}) {
    ... on Project { id }
  }
}"""
SETUP_OBSERVATORY = """mutation($o: ID!) {
  registerObservatory(input: {organizationId: $o, name: "South Two", code: "south-2",
      location: {latitudeDeg: -30.2, longitudeDeg: -70.7}, equipment: {filters: ["L"]}}) {
    __typename
  }
}"""
SETUP_OBSERVATION = """mutation($p: ID!, $name: String!, $target: String!, $priority: Int!) {
  createObservation(input: {projectId: $p, name: $name, priority: $priority,
      targets: [{name: $target, exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
    __typename
  }
}"""


def test_the_observations_list_filters_sorts_and_pages(gui: Gui) -> None:
    page = gui.page
    # given: 12 observations, 4 of them of M1, priorities 1..12 capped at 10
    token = access_token(gui.base_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    organization = graphql(gui.base_url, SETUP_ORGANIZATION, token)["createOrganization"]["id"]
    project = graphql(gui.base_url, SETUP_PROJECT, token, o=organization)["createProject"]["id"]
    graphql(gui.base_url, SETUP_OBSERVATORY, token, o=organization)
    for n in range(12):
        target = "M1" if n % 3 == 0 else "M42"
        created = graphql(
            gui.base_url,
            SETUP_OBSERVATION,
            token,
            p=project,
            name=f"Survey {n:02d}",
            target=target,
            priority=min(10, n + 1),
        )
        assert created["createObservation"]["__typename"] == "Observation", created
    gui.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="Observations").click()
    table = page.get_by_role("table", name="Observations")
    rows = table.locator("tbody tr")

    # when: 10 per page
    page.get_by_label("Per page").click()
    page.get_by_role("option", name="10", exact=True).click()

    # then: two pages, 10 and 2 rows
    expect(page.get_by_text(re.compile(r"12 observations · page 1"))).to_be_visible()
    expect(rows).to_have_count(10)
    page.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(2)
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    page.get_by_role("button", name="Previous page").click()
    expect(rows).to_have_count(10)

    # when: sorted by name, ascending
    page.get_by_role("button", name="Name").click()

    # then
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(rows.first).to_contain_text("Survey 02")
    gui.screenshot("observations-list")

    # when: only M1 with priority at least 5
    page.get_by_label("Target name contains").fill("m1")
    page.get_by_label("Priority at least").fill("5")

    # then: Survey 06 (priority 7) and Survey 09 (priority 10)
    expect(page.get_by_text(re.compile(r"^2 observations"))).to_be_visible()
    expect(rows).to_have_count(2)
    expect(table).to_contain_text("Survey 06")
    expect(table).to_contain_text("Survey 09")

    # when: nothing matches
    page.get_by_label("Target name contains").fill("no such target")

    # then
    expect(page.get_by_text("No observations match these filters.")).to_be_visible()


def test_a_draft_is_edited_in_place_and_the_observatory_page_edits_its_settings(gui: Gui) -> None:
    page = gui.page
    # given: a draft observation of M42
    gui.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    _admin_setup(gui)
    page.get_by_role("link", name="Observations").click()
    page.get_by_role("link", name="New observation").click()
    page.get_by_label(re.compile(r"^Name")).fill("Orion Nebula")
    page.get_by_label("Target 1 name").fill("M42")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_test_id("lookup-0")).to_contain_text("5:35")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_test_id("state-chip")).to_have_text("Draft")
    observation_url = page.url

    # when: it is edited with a count of zero
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit draft")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Name"))).to_have_value("Orion Nebula")
    count = page.get_by_label("Count (target 1, set 1)")
    count.fill("0")
    page.get_by_role("button", name="Save changes").click()

    # then: the error is shown under the count, and nothing was saved
    expect(count).to_have_attribute("aria-invalid", "true")
    expect(count).to_have_accessible_description(re.compile(r"must be from 1 to"))

    # when: fixed and saved
    count.fill("20")
    page.get_by_label(re.compile(r"^Name")).fill("Orion Nebula, deeper")
    page.get_by_role("button", name="Save changes").click()

    # then: the same observation shows the new plan and is still a draft
    expect(page.get_by_role("heading", name="Orion Nebula, deeper")).to_be_visible()
    assert page.url == observation_url
    expect(page.get_by_test_id("state-chip")).to_have_text("Draft")
    gui.screenshot("observation-draft-edited")

    # when: the observatory's page is opened and its focal length changed, first to -5
    page.get_by_role("link", name="Observatories").click()
    page.get_by_role("link", name="South One", exact=True).click()
    equipment = page.get_by_role("table", name="Equipment")
    expect(equipment).to_contain_text("258.5 mm")
    expect(page.get_by_role("table", name="Equipment")).to_contain_text("3.00″/px")
    page.get_by_role("button", name="Edit equipment and horizon").click()
    focal = page.get_by_label("Focal length (mm)")
    focal.fill("-5")
    page.get_by_role("button", name="Save equipment and horizon").click()

    # then: the error is shown next to the field
    expect(focal).to_have_attribute("aria-invalid", "true")
    expect(focal).to_have_accessible_description("must be more than 0")
    expect(equipment).to_contain_text("258.5 mm")

    # when: a valid focal length is saved and a reservation made
    focal.fill("517")
    page.get_by_role("button", name="Save equipment and horizon").click()
    expect(equipment).to_contain_text("517 mm")
    expect(equipment).to_contain_text("1.50″/px")
    page.get_by_label("Title").fill("Mirror cleaning")
    page.get_by_label("Purpose").fill("upkeep")
    page.get_by_label("Contact").fill("ops@example.org")
    page.get_by_label("Start (UTC)").fill("2030-01-01T20:00")
    page.get_by_label("End (UTC)").fill("2030-01-02T04:00")
    page.get_by_role("button", name="Reserve").click()

    # then: after a reload the page still lists the reservation and the new equipment
    reservations = page.get_by_role("table", name="Reservations")
    expect(reservations).to_contain_text("Mirror cleaning")
    page.reload()
    expect(page.get_by_role("table", name="Reservations")).to_contain_text("Mirror cleaning")
    expect(page.get_by_role("table", name="Equipment")).to_contain_text("517 mm")
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    gui.screenshot("observatory-edited")
