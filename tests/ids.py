"""The API's global ids as its docs describe them: unpadded URL-safe base64 of `Type:dbid`.

Written from the description, not from the server's code, so tests also check the format.
"""

from __future__ import annotations

import base64


def database_id(global_id: str) -> str:
    """The database id inside a global id (to look the object up in the database)."""
    text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    _type_name, _, raw = text.partition(":")
    return raw


def type_of(global_id: str) -> str:
    text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return text.partition(":")[0]


def global_id(type_name: str, database_id: str) -> str:
    """The id the API would give the object of `type_name` stored under `database_id`."""
    return base64.urlsafe_b64encode(f"{type_name}:{database_id}".encode()).rstrip(b"=").decode()
