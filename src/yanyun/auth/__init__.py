"""Users, roles, org scope, tokens and permission checks."""
