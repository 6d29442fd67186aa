"""The scheduling engine's service layer: documents in, the pure core, atomic claims out.

See docs/scheduling.md ("Service layer") for how documents map to the core's arrays.
"""
