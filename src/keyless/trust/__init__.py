"""Who can assume a role, decided symbolically and exactly.

* :mod:`keyless.trust.analysis` - a trust policy's access paths (:func:`analyse`)
* :mod:`keyless.trust.paths` - an access path and the exact questions it answers
* :mod:`keyless.trust.conditions` - conditions translated into formulas over languages
* :mod:`keyless.trust.formula` - formulas, terms and their exact satisfiability
* :mod:`keyless.trust.questions` - the questions checks ask (another tenant, a pull request)
* :mod:`keyless.trust.witness` - :func:`find`: a concrete request that answers a question
* :mod:`keyless.trust.replay` - witnesses replayed through the concrete evaluator
* :mod:`keyless.trust.describe` - one sentence per access path
* :mod:`keyless.trust.keys` - condition keys in their canonical spelling

Builds on :mod:`keyless.policy` (IAM semantics) and :mod:`keyless.idp` (what each
mechanism puts in a request).
"""
