"""The CRM's storage: the only pynamodb code of the context, its items and key layout (items.py,
sales_items.py), one module per part of the context (audiences, vocabulary, businesses, sales,
forms, import_jobs, person_reads, timeline_items) over the generic records.py; the one
person-write path is person_writes.py."""
