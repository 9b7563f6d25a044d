"""Collectors: every way of building an :class:`~keyless.model.Inventory`.

``aws`` (one live account), ``export`` (offline files), ``snapshot`` (versioned dump and
load) and ``demo`` (a seeded emulated estate). This is the only package that imports
boto3, and it does so inside functions: importing ``keyless.collect`` costs nothing.
"""
