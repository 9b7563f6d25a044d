"""The policy engine: parse, evaluate concretely, and reason symbolically about IAM policies.

Import the submodule you need (``keyless.policy.document``, ``keyless.policy.evaluate``,
...). This package deliberately re-exports nothing, so each submodule imports on its own.
"""
