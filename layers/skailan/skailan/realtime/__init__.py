"""Live updates: the WebSocket API's connections, the push of domain events as frames to the
brand's connected members, and the changes feed a client catches up from (docs/realtime.md)."""
