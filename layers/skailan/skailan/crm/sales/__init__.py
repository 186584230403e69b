"""Sales: deals in pipelines, tasks, and their models."""
