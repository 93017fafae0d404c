"""Developer tools: deterministic screenshots of the real app, and the key reference.

Nothing here is imported by the app.
"""
