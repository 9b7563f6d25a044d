"""The built-in demo organization: what it holds (:mod:`.estate`) and how it is seeded
into the in-process emulator and collected like a live organization (:mod:`.build`)."""
