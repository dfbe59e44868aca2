"""`python -m sandbox` runs the demo (`make demo`); `python -m sandbox tap USER` plays a badge on it."""

from sandbox.cli import group

group(prog_name="python -m sandbox")
