"""Collectors: every way of building an :class:`~keyless.model.Inventory`.

* :mod:`keyless.collect.origin` - one entry point from the user's choice of source
* :mod:`keyless.collect.live` - live AWS: one account, the organization fan-out,
  Identity Center (the only boto3 importer besides ``keyless.retire``)
* :mod:`keyless.collect.offline` - the offline export layout and snapshots
* :mod:`keyless.collect.demo` - the built-in demo estate, seeded into the emulator
* :mod:`keyless.collect.formats` - parsers of AWS's own documents (authorization details,
  the credential report, provider listings) shared by live and offline collection

Importing ``keyless.collect`` costs nothing: collectors load when used.
"""
