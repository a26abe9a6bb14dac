"""一线 the field: what units' crews do from their phones, applied exactly once."""
