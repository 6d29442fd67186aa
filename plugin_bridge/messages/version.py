"""Protocol and plugin versions, and the message size limit.

The protocol version travels twice: as the WebSocket subprotocol the plugin offers in the
handshake (`Sec-WebSocket-Protocol: ss-plugin.v1`) and as `protocol` in its `hello`. The plugin
version is the plugin's own release number; the server refuses plugins older than its
configured minimum with close code 4002.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import total_ordering

PROTOCOL = "ss-plugin.v1"
SUPPORTED_PROTOCOLS: tuple[str, ...] = (PROTOCOL,)

# Largest text frame the server reads, in bytes of UTF-8; larger frames close with 4009.
MAX_MESSAGE_BYTES = 256 * 1024

_VERSION = re.compile(r"^(0|[1-9]\d{0,5})(\.(0|[1-9]\d{0,5})){1,3}$")
VERSION_PATTERN = _VERSION.pattern


def select_subprotocol(offered: Sequence[str]) -> str | None:
    """The subprotocol the server speaks among those the plugin offered, or None."""
    for protocol in SUPPORTED_PROTOCOLS:
        if protocol in offered:
            return protocol
    return None


@total_ordering
@dataclass(frozen=True)
class PluginVersion:
    """A plugin release number: 2 to 4 dot-separated integers (`4.0.11.0`, `1.2`)."""

    parts: tuple[int, int, int, int]

    @classmethod
    def parse(cls, text: str) -> PluginVersion:
        if _VERSION.fullmatch(text) is None:
            raise ValueError(f"{text!r} is not a version such as 1.4.0")
        numbers = [int(part) for part in text.split(".")]
        numbers += [0] * (4 - len(numbers))
        return cls((numbers[0], numbers[1], numbers[2], numbers[3]))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PluginVersion):
            return NotImplemented
        return self.parts < other.parts

    def __str__(self) -> str:
        parts = list(self.parts)
        while len(parts) > 3 and parts[-1] == 0:
            parts.pop()
        return ".".join(str(part) for part in parts)
