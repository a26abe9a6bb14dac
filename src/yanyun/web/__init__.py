"""The HTTP edge: app factory, error mapping, live events and pages."""
