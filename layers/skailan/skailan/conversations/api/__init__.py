"""HTTP routes of the conversations context (conversations, inbox, e-mail, web chat)."""
