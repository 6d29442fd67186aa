"""Observation requests, their lifecycle and their history."""
