"""Skailan domain package: shared by every Lambda through the `skailan` layer."""
