"""The terminal face: practice and revise without Discord."""
