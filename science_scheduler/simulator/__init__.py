"""The reference plugin: a simulated observatory speaking `ss-plugin.v1` (docs/simulator.md).

`client` is the sans-I/O protocol state machine (frames and time in, effects out); `driver`
runs it over a real WebSocket, with a camera that renders synthetic frames and an uploader
that drains a durable queue of frames over HTTP.
"""
