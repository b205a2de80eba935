"""Data editing the way statistical offices work: edit rules, a scored review queue, edited values apart."""
