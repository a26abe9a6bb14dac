"""Duty (勤务): officers, shifts and rosters, duty levels, posts and clock-in."""
