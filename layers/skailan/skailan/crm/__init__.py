"""CRM: people, identities, custom fields, segments and imports.

The modules here are pure domain logic (no AWS): normalisation of phones, e-mails and
names, custom-field validation, the dynamic-segment rule tree and the import pipeline
(reader → mapping → rows → accumulator → errors CSV). Storage lives in `store.py`.
"""
