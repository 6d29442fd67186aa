"""Letting an observatory's key be used from another machine (its administrators)."""

from __future__ import annotations

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import User
from domain.audit import record_audit
from domain.observatories.access import observatory_for
from domain.observatories.live_status import live_status_of
from domain.observatories.observatory import Observatory
from domain.observatories.plugin_keys import reset_fingerprint


async def reset_observatory_fingerprint(actor: User, observatory_id: str) -> Observatory:
    """Forget the machine enrolled for the observatory's key (needs ADMIN); audited."""
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.ADMIN)
    assert observatory.id is not None
    status = await live_status_of(observatory.id)
    await reset_fingerprint(observatory.id)
    await record_audit(
        actor,
        "observatory",
        str(observatory.id),
        "reset_fingerprint",
        before={"fingerprint": status.fingerprint if status else None},
        after={"fingerprint": None},
    )
    return observatory
