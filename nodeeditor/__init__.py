"""nodeeditor: typed dataflow graphs, drawn on a canvas and run in batches."""

__version__ = "0.1.0"
