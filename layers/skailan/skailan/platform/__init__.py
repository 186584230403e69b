"""Cross-cutting pieces every context uses: settings, errors, auth, events, storage."""
