"""The conversations and inbox tables: the context's only pynamodb code (items, keys, reads,
conditional writes and transactions), one module per thing kept."""
