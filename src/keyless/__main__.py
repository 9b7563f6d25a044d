"""``python -m keyless``."""

from keyless.cli import main

main()
