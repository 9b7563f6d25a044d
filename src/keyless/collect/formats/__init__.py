"""Parsers of AWS's own documents, shared by live and offline collection: the
authorization details, the credential report, provider and MFA listings, AWS dates."""
