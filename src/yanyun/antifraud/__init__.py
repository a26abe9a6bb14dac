"""反电诈: anti-fraud early warnings, graded, routed to stations, followed to the end."""
