"""One request asking for several signed-in fields at once sees one identity in all of them.

Top-level fields resolve concurrently; before the fix the second field to ask for the caller's
identity was answered "sign in first" while the first was still checking the token.
"""

from __future__ import annotations

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import graphql_http

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
MANY_FIELDS = """query {
  me { email }
  a: observations(first: 1) { edges { node { id } } }
  b: observations(first: 2) { edges { node { id } } }
  organizations { edges { node { id } } }
  observatories { edges { node { id } } }
}"""


async def test_every_field_of_one_request_is_answered_for_the_signed_in_user(
    api_server: ApiServer,
) -> None:
    login = await graphql_http(
        api_server.base_url, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD
    )
    token = login["data"]["login"]["accessToken"]

    body = await graphql_http(api_server.base_url, MANY_FIELDS, token=token)

    assert "errors" not in body, body["errors"]
    assert body["data"]["me"]["email"] == ADMIN_EMAIL
    assert body["data"]["a"]["edges"] == []
    assert body["data"]["b"]["edges"] == []


async def test_a_bad_token_is_refused_as_such_in_every_field(api_server: ApiServer) -> None:
    body = await graphql_http(api_server.base_url, MANY_FIELDS, token="not-a-token")

    codes = {error["extensions"]["code"] for error in body["errors"]}
    messages = {error["message"] for error in body["errors"]}
    assert codes == {"UNAUTHENTICATED"}
    assert messages == {"the access token is invalid or expired"}
