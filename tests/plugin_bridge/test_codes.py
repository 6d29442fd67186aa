"""Every error and close code is documented; the catalogue is consistent."""

from __future__ import annotations

from plugin_bridge import messages as m


def test_every_error_code_has_a_meaning_and_an_action() -> None:
    assert set(m.ERROR_CODES) == set(m.ErrorCode)
    assert all(doc.meaning and doc.plugin_action for doc in m.ERROR_CODES.values())


def test_close_codes_are_documented_and_application_codes_are_in_the_4000_range() -> None:
    assert set(m.CLOSE_CODES) == set(m.CloseCode)
    assert all(4000 <= code < 5000 for code in m.CloseCode if code is not m.CloseCode.NORMAL)


def test_commands_are_the_server_messages_a_plugin_acks() -> None:
    assert sorted(m.SERVER_COMMANDS) == [
        "abort",
        "api_key_issued",
        "assignment",
        "calibration_order",
    ]
    assert set(m.SERVER_COMMANDS) <= set(m.SERVER_MESSAGES)
    assert set(m.PLUGIN_MESSAGES) & set(m.SERVER_MESSAGES) == {
        "ack",
        "goodbye",
        "heartbeat",
        "nack",
    }
