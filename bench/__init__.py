"""`make bench`: honest timings of SupportDesk TUI, each next to a baseline measured in the same run.

Nothing here asserts on time; the numbers are printed and written to docs/benchmarks.md.
"""
