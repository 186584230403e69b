"""The conversations table: the context's only pynamodb code (items, keys, conditional writes)."""
