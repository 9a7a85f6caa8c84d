"""One module per game: its rules, a solver or policy, and puzzles to test them on."""
