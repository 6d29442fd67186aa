"""People who use the server: identities, passwords and access tokens."""
