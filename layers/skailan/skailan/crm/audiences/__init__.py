"""audiences."""
