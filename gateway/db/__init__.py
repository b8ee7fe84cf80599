"""Persistence: tables, engine set-up, migrations. Repositories never commit."""
