"""Importing people from CSV / XLSX files (Keybe *Conecta → Importaciones*).

Pipeline, all pure: `reader` streams rows → `mapping` says which column is which field →
`rows` turns each row into a candidate person or an invalid row → `ImportAccumulator`
finds duplicates inside the file and keeps the summary → `errors_csv` writes the report.
The service around it matches candidates against stored people and checkpoints progress.
"""
