"""The thin WebSocket adapter: moves frames and time into `PluginSession`, carries out effects."""
