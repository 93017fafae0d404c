"""Developer tools: deterministic screenshots of the real app, and the key reference.

Nothing here is imported by the app; each tool sets the UI language before it imports any
UI module, because binding descriptions are translated when their module loads.
"""
