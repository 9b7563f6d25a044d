"""``python -m keyless.cli``."""

from keyless.cli import main

main()
