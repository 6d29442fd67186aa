"""Who uploads a frame: a person (access token or API key) or an observatory (its API key)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts.principal import Principal
from domain.accounts.sessions import principal_for
from domain.accounts.tokens import InvalidToken
from domain.observatories.observatory import Observatory
from domain.observatories.service import OBSERVATORY_KEY_KIND
from domain.secrets import matches, prefix_of


@dataclass(frozen=True)
class Uploader:
    """Exactly one of `principal` and `observatory` is set."""

    principal: Principal | None = None
    observatory: Observatory | None = None

    @property
    def actor(self) -> str:
        if self.observatory is not None:
            return f"observatory:{self.observatory.id}"
        assert self.principal is not None
        return f"user:{self.principal.user.id}"


async def authenticate_uploader(credential: str, signing_key: bytes) -> Uploader:
    """The uploader a bearer credential stands for; InvalidToken when it stands for nobody."""
    if credential.startswith(f"{OBSERVATORY_KEY_KIND}_"):
        prefix = prefix_of(credential, OBSERVATORY_KEY_KIND)
        observatory = (
            await Observatory.find_one(Observatory.api_key_prefix == prefix) if prefix else None
        )
        if observatory is None or not matches(credential, observatory.api_key_hash):
            raise InvalidToken("the observatory API key is unknown or was replaced")
        return Uploader(observatory=observatory)
    return Uploader(principal=await principal_for(credential, signing_key))
