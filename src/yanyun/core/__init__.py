"""Shared kernel: settings, storage, clock, ids, errors, events and audit.

Knows nothing of police concepts; every context may use it.
"""
