"""Pure decisions of the conversations context: no tables, queues or settings."""
