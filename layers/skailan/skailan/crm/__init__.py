"""CRM (the contacts context): people, identities, vocabulary, lists and segments, businesses,
sales (pipelines, deals, tasks), capture (forms, imports). Sub-packages, lowest first: values,
store (the only pynamodb code and key strings; the one person-write path), vocabulary,
people, audiences, businesses, sales, capture, api — docs/crm.md "Code layout".
"""
