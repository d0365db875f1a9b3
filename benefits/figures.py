"""The benefits figures of DOMAIN.md §4 for a year, for the district or a town (DESIGN.md, contract 2)."""
