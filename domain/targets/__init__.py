"""Targets: coordinate parsing, offline name resolution (OpenNGC) and the Target Library.

`coordinates` and `catalogue` are pure; `library` holds the Beanie document and its services.
"""
