"""Observation templates: a plan saved once and reused."""
