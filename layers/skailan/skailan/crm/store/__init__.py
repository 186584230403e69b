"""The CRM's storage: the only pynamodb code of the context, its items and key layout (items.py,
sales_items.py); the one person-write path is person_writes.py."""
