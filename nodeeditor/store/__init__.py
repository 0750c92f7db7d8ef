"""Persistence: the SQLite (or any SQLAlchemy) database and the artifact folder."""
