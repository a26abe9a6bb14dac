"""Statistics over incidents: hotspots, near repeats, forecasts and their honest scores.

The numerical core (grid, hotspot, nearrepeat, forecast, backtest) takes numpy
arrays and returns numpy arrays, so it serves a file on the command line and
the platform's own incidents alike; only service.py touches the database.
"""
