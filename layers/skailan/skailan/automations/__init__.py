"""Automations ("Automatiza"): triggers → conditions → steps, with waits, branches, run history and
loop/storm protection. docs/automations.md."""
