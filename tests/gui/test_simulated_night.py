"""A simulated observatory takes an observation made in the GUI; the pages follow it live."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import astropy.units as u
import pytest
from astropy.coordinates import AltAz, EarthLocation, get_sun
from astropy.time import Time
from playwright.sync_api import expect

from domain.scheduling.ephemeris import configure_offline_iers
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.engines import running_cli
from tests.gui.browser import Gui
from tests.gui.test_gui import _admin_setup

M42_RA_DEG = 83.82
LATITUDE_DEG = -5.0  # M42 (Dec -5.4) passes near the zenith


def _site_where_m42_transits_now() -> tuple[float, float] | None:
    """(latitude, longitude) where M42 culminates now in a dark sky, or None in its season
    near the Sun."""
    configure_offline_iers()
    now = Time(datetime.now(UTC))
    gmst = now.sidereal_time("mean", longitude=0 * u.deg).deg
    longitude = (M42_RA_DEG - gmst + 180.0) % 360.0 - 180.0
    site = EarthLocation(lat=LATITUDE_DEG * u.deg, lon=longitude * u.deg)
    sun = get_sun(now).transform_to(AltAz(obstime=now, location=site)).alt.deg
    return (LATITUDE_DEG, round(longitude, 3)) if sun < -18 else None


def test_a_simulated_observatory_takes_m42_and_its_frames_appear(
    gui: Gui, worker: None, engine_env: dict[str, str], tmp_path: Path
) -> None:
    site = _site_where_m42_transits_now()
    if site is None:
        pytest.skip("M42 is too near the Sun at this time of year for a night run now")
    page = gui.page
    # given: an observatory where M42 stands high in a dark sky now
    gui.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    key = _admin_setup(gui, latitude=str(site[0]), longitude=str(site[1]))

    # when: an observation of M42 (short exposures, any moon) is created and submitted
    page.get_by_role("link", name="Observations").click()
    page.get_by_role("link", name="New observation").click()
    page.get_by_label(re.compile(r"^Name")).fill("M42 tonight")
    page.get_by_label("Target 1 name").fill("M42")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_test_id("lookup-0")).to_contain_text("5:35")
    page.get_by_label("Exposure s (target 1, set 1)").fill("10")
    page.get_by_label("Count (target 1, set 1)").fill("2")
    page.get_by_label("Moon separation at full moon (°)").fill("0")
    page.get_by_role("button", name="Create and submit").click()
    state = page.get_by_test_id("state-chip")
    expect(state).to_have_text("Pending")

    # and: the simulated observatory connects
    command = [
        "simulate-observatory",
        "--server",
        gui.base_url,
        "--api-key",
        key,
        "--state-dir",
        str(tmp_path / "simulator"),
        "--speedup",
        "5",
        "--filters",
        "L",
    ]
    with running_cli(command, engine_env, tmp_path / "simulator.log"):
        # then: the page follows the run live, and the frames' thumbnails appear
        expect(state).to_have_text(
            re.compile("Assigned|In progress|Acquisition complete|Completed"), timeout=120_000
        )
        expect(page.get_by_test_id("frame-thumbnail").first).to_be_visible(timeout=180_000)
        expect(state).to_have_text("Completed", timeout=180_000)
        expect(page.get_by_test_id("history")).to_contain_text("Assigned")
        gui.screenshot("observation-simulated")

        page.get_by_test_id("frame-thumbnail").first.click()
        expect(page.get_by_test_id("frame-metrics")).to_contain_text("Stars detected")

        page.get_by_role("link", name="Observatories").click()
        page.get_by_role("link", name="South One", exact=True).click()
        expect(page.get_by_test_id("observatory-link")).to_have_text("Connected")
        expect(page.get_by_text("Planning the night…")).to_have_count(0, timeout=60_000)
        gui.screenshot("observatory-simulated")

        page.get_by_role("link", name="Dashboard").click()
        expect(page.get_by_test_id("count-COMPLETED")).to_contain_text("1")
        expect(page.get_by_test_id("observatory-south-1")).to_contain_text("Connected")
        gui.screenshot("dashboard-simulated")
