"""`python -m printrelease` runs the command line."""

from printrelease.cli import main

main()
