"""Offline collection: the export layout (:mod:`.export`, docs/export-format.md) and
keyless's own snapshots (:mod:`.snapshot`, docs/snapshot.md)."""
