"""合成作战: cases that bind intelligence, command and supervision to one piece of work."""
