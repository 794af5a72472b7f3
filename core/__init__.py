"""The ground floor every app stands on: errors, the clock, text and spreadsheet guards, background jobs, page helpers.

It imports no chengyun app (an import-linter contract in `make test` keeps it so).
"""
