"""Citizens and employers, their identities on the channels, identity verification, the industry
database (registry) adapter, and the confidentiality of their personal data."""
