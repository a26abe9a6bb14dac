"""The demo city's moving parts and the discrete-event simulator."""
