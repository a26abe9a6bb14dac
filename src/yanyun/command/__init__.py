"""指 command: incidents, intake, units' live state, recommendation, dispatch, 1-3-5 clocks."""
