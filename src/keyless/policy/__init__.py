"""IAM semantics, concretely: parse a policy (errors carry a JSON pointer), its operators,
variables and conditions, and :func:`keyless.policy.evaluate.evaluate`, a decision with
its explanation.

Symbolic reasoning over trust policies builds on this in :mod:`keyless.trust`; the
wildcard languages it needs live in :mod:`keyless.patterns`. Import the submodule you
need; this package re-exports nothing.
"""
