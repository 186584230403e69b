"""Audiences: static lists, dynamic segments (stored segments and the pure rule tree) and exports."""
