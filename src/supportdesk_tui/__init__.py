"""SupportDesk TUI."""
__version__ = "0.1.0"
