"""What happens before a unit moves: taking the call, then the crew's reaction.

The medians a planner counts on and the simulator draws from (the 1-3-5
targets run from receipt, so a plan's travel budget is what remains).
"""

from __future__ import annotations

# Receipt to a dispatch decision: taking the call, confirming place and kind.
HANDLING_MEDIAN_S, HANDLING_SIGMA = 40.0, 0.35
HANDLING_MIN_S, HANDLING_MAX_S = 15.0, 180.0
# Dispatch to the crew's acknowledgement on the radio or terminal.
REACTION_MIN_S, REACTION_MAX_S = 5.0, 30.0
