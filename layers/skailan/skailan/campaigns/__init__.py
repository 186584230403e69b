"""Campaigns ("Comunica"): e-mail, SMS and WhatsApp template campaigns to lists, segments and people."""
