"""Stand-ins the deployment test puts on PATH (systemctl on a machine without systemd)."""
