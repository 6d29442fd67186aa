"""Observatories: where they are, what they carry and who may use them."""
