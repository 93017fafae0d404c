"""The throwaway PostgreSQL cluster, now shared with the benchmarks: see
`supportdesk_tui.devtools.pg_cluster`. This module keeps the tests' old import path working."""

from supportdesk_tui.devtools.pg_cluster import (
    TEMPLATE,
    PgCluster,
    PostgresUnavailable,
    Stoppable,
    free_port,
    server_bindir,
)

__all__ = ["TEMPLATE", "PgCluster", "PostgresUnavailable", "Stoppable", "free_port", "server_bindir"]
