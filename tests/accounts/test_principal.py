"""What a principal may do in an organization: a person by membership, a key within both."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.accounts.api_keys import ApiKey, ApiKeyPermission
from domain.accounts.principal import Principal
from domain.accounts.user import User
from domain.organizations.organization import (
    Organization,
    OrganizationMember,
    OrganizationPermission,
)
from science_scheduler.services import Services

P = ApiKeyPermission


def _people() -> tuple[User, User, User]:
    owner = User(id=PydanticObjectId(), email="o@example.org", password_hash="-")
    member = User(id=PydanticObjectId(), email="m@example.org", password_hash="-")
    admin = User(
        id=PydanticObjectId(), email="a@example.org", password_hash="-", is_site_admin=True
    )
    return owner, member, admin


def _organization(owner: User, member: User) -> Organization:
    assert owner.id is not None
    assert member.id is not None
    return Organization(
        id=PydanticObjectId(),
        name="Vega",
        short_name="vega",
        members=[
            OrganizationMember(user_id=owner.id, is_owner=True),
            OrganizationMember(
                user_id=member.id, permissions={OrganizationPermission.MANAGE_PROJECTS}
            ),
        ],
    )


def _key(creator: User, organization: Organization, *permissions: P) -> ApiKey:
    assert creator.id is not None
    assert organization.id is not None
    return ApiKey(
        name="k",
        prefix="ssk_00000000",
        secret_hash="-",
        organization_id=organization.id,
        permissions=set(permissions),
        created_by=creator.id,
    )


async def test_people_hold_what_their_membership_grants(services: Services) -> None:
    # given
    owner, member, admin = _people()
    organization = _organization(owner, member)
    outsider = User(id=PydanticObjectId(), email="x@example.org", password_hash="-")

    # then
    assert Principal(owner).permissions_in(organization) == set(P)
    assert Principal(admin).permissions_in(organization) == set(P)
    assert Principal(member).permissions_in(organization) == {P.READ, P.WRITE, P.MANAGE_PROJECTS}
    assert Principal(outsider).permissions_in(organization) == set()


async def test_a_key_holds_its_permissions_and_read_but_never_more_than_its_creator(
    services: Services,
) -> None:
    # given
    owner, member, _ = _people()
    organization = _organization(owner, member)
    other_organization = _organization(owner, member)
    other_organization.id = PydanticObjectId()
    writer = Principal(member, _key(member, organization, P.WRITE))
    overreaching = Principal(member, _key(member, organization, P.MANAGE_BILLING, P.WRITE))
    elsewhere = Principal(owner, _key(owner, other_organization, P.WRITE))

    # when
    while_member = (writer.permissions_in(organization), overreaching.permissions_in(organization))
    organization.members.pop()  # the member leaves the organization
    after_leaving = writer.permissions_in(organization)

    # then
    assert while_member == ({P.READ, P.WRITE}, {P.READ, P.WRITE})
    assert elsewhere.permissions_in(organization) == set()
    assert after_leaving == set()
