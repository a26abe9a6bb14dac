"""Community policing 群防群治: grids 1+1+N, volunteers and 一呼百应, villages, disputes."""
