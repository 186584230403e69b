"""People: the service (create, update, delete, list, search), identities, merges and the timeline."""
