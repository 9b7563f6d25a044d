"""Live collection with boto3: one account (:mod:`.account`), the organization fan-out
(:mod:`.organization`) and IAM Identity Center (:mod:`.identity_center`)."""
