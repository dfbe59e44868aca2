"""Print jobs: capture into the spool, hold, expire, delete."""
