"""The CRM's storage: the only pynamodb code of the context and every key string (items.py and
sales_items.py document the key layout); the one person-write path is person_writes.py."""
