"""Tidal deployment (潮汐警力): stand points hour by hour, planned from duty and stats, adopted."""
