"""Geography: districts, stations, grids, point lookup and coordinate systems."""
