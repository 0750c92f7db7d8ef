"""Headless model: types, fields, nodes, graphs, workflows, plans. No Qt, SQLAlchemy, numpy or Pillow."""
