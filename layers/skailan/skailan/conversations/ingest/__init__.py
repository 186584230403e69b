"""Inbound: webhook routing (verify, route to a brand, enqueue), the inbound queue contract, media,
profile names and the ingest worker that stores what arrives (docs/channels.md)."""
