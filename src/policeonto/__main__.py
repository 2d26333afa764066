"""Run the command line: ``python -m policeonto``."""

from policeonto.cli import main

main()
