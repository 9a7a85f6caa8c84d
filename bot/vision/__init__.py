"""Recognition: pure functions from (frame, level profile) to a Board.

grid        tiles as read-only views; grid detection from edge projections
border      occupancy by border-ring statistics
color       chromaticity features and colour classes
posterize   mean-shift posterizing and a cheap quantiser
templates   labelled template banks: build, save, load, match
read        read_board: every cell a label and a confidence, or "unknown"
patterns    hit-and-miss search over a grid of labels
"""
