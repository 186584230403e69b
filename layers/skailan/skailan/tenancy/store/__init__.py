"""Tenancy's storage: the only pynamodb code of the context — its items and key layout
(items.py) and one module of data access per kind (members, api keys, channel accounts, …)."""
