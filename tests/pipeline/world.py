"""A small world in the real database for pipeline tests, and FITS files to upload."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from astropy.io import fits

from domain.accounts.tokens import issue_access_token
from domain.accounts.user import User
from domain.imaging.rice import compress_image
from domain.imaging.synthetic import FieldSpec, GaussianPsf, SyntheticFrame, render_field
from domain.observations.observation import (
    AcceptanceThresholds,
    ExposureSet,
    Observation,
    Target,
)
from domain.observations.states import ObservationState
from domain.observatories.observatory import Equipment, Location, Observatory
from domain.organizations.organization import Organization, OrganizationMember
from domain.projects.project import Project
from domain.secrets import issue_secret

SECRET_KEY = "pipeline-tests-signing-key-of-32-bytes-or-more"
ORION = (83.82, -5.39)


@dataclass
class World:
    user: User
    stranger: User
    organization: Organization
    project: Project
    observation: Observation
    observatory: Observatory
    observatory_key: str
    other_observatory_key: str

    def token(self, user: User) -> str:
        return issue_access_token(str(user.id), SECRET_KEY.encode(), timedelta(minutes=30))


async def _observatory(
    organization: Organization, owner: User, code: str
) -> tuple[Observatory, str]:
    assert organization.id is not None
    assert owner.id is not None
    issued = issue_secret("sso")
    observatory = Observatory(
        organization_id=organization.id,
        name=code,
        code=code,
        location=Location(latitude_deg=-30.2, longitude_deg=-70.7),
        equipment=Equipment(focal_length_mm=258.5, pixel_size_um=3.76, filters=["L"]),
        api_key_prefix=issued.prefix,
        api_key_hash=issued.sha256,
        created_by=owner.id,
    )
    await observatory.insert()
    return observatory, issued.secret


async def make_world() -> World:
    user = User(email="astronomer@example.org", password_hash="-")
    stranger = User(email="stranger@example.org", password_hash="-")
    await user.insert()
    await stranger.insert()
    assert user.id is not None
    organization = Organization(
        name="Southern Sky",
        short_name="southern-sky",
        members=[OrganizationMember(user_id=user.id, is_owner=True)],
    )
    await organization.insert()
    assert organization.id is not None
    project = Project(
        organization_id=organization.id, name="Nebulae", code="NEB-1", owner_id=user.id
    )
    await project.insert()
    assert project.id is not None
    observatory, key = await _observatory(organization, user, "south-1")
    _, other_key = await _observatory(organization, user, "south-2")
    observation = Observation(
        organization_id=organization.id,
        project_id=project.id,
        created_by=user.id,
        name="Orion",
        targets=[
            Target(
                name="M42",
                ra_deg=ORION[0],
                dec_deg=ORION[1],
                exposures=[
                    ExposureSet(filter="Ha", exposure_s=300, count=10),
                    ExposureSet(filter="L", exposure_s=60, count=20),
                ],
            )
        ],
        thresholds=AcceptanceThresholds(max_fwhm_arcsec=15.0, min_stars=10),
        state=ObservationState.IN_PROGRESS,
        assigned_observatory_id=observatory.id,
    )
    await observation.insert()
    return World(user, stranger, organization, project, observation, observatory, key, other_key)


def orion_frame(seed: int = 5, width: int = 1000, height: int = 700) -> SyntheticFrame:
    """A Tycho-2 field in Orion at 3"/px: 50'x35' holds enough index stars to solve."""
    return render_field(
        FieldSpec(
            ra_deg=ORION[0],
            dec_deg=ORION[1],
            pixel_scale_arcsec=3.0,
            rotation_deg=20.0,
            psf=GaussianPsf(fwhm_px=3.0),
            width=width,
            height=height,
            seed=seed,
        )
    )


def fits_file(frame: SyntheticFrame) -> bytes:
    buffer = io.BytesIO()
    fits.PrimaryHDU(data=frame.image, header=frame.header).writeto(buffer)
    return buffer.getvalue()


def poison_file() -> bytes:
    """A valid .fits.fz header whose GZIP tiles are garbage: every decompression fails."""
    data = np.random.default_rng(1).normal(1000, 10, (200, 300)).astype(np.float32)
    fz = bytearray(compress_image(data).fz_bytes)
    with fits.open(io.BytesIO(bytes(fz)), disable_image_compression=True) as hdul:
        table = hdul[1]
        heap = table._data_offset + table.header["NAXIS1"] * table.header["NAXIS2"]
        size = table.header["PCOUNT"]
    fz[heap : heap + size] = b"\xaa" * size
    return bytes(fz)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
