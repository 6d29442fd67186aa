"""The sans-I/O protocol core: frames in, effects out (docs/plugin-protocol.md)."""
