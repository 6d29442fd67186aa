"""Organizations: who owns observatories and projects, and who may manage them."""
