"""Saved plans, one module per job: queries, reader, view, table, compare, history, words."""
