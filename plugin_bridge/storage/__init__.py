"""Durable MongoDB (Beanie) implementations of the core's DedupStore and Outbox ports."""
