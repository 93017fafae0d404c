"""Screen snapshots: a package, so its conftest.py has a name of its own (tests/conftest.py is "conftest")."""
