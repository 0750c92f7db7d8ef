"""Nodes that run diffusion models (the optional `models` extra): a checkpoint in, images out.

Importing this package registers the nodes without importing torch; torch, diffusers and
transformers are imported by the first model node that runs, in the process that runs it.
"""

from . import denoise, loader, text  # noqa: F401  (registration)
