"""The bridge's domain-facing side: each core command runs the domain service for it."""
