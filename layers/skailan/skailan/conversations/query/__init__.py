"""Reads of the conversations context: listing with filters, search, tab counts, the read facade."""
