"""The embedded engines `serve` starts when no external URL is configured."""
