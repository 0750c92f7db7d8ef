"""The graph canvas: document model, scene items, gestures and undoable commands, each in its own module."""
