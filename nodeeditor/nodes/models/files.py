"""Which model a path names: its identity (path, size, modification time) and its architecture.

Nothing here reads weights: identity is a few `stat` calls, so the output cache can key a model
by it on every session, and the family of a single file comes from its tensor names.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from nodeeditor.core.errors import LocatedError

CONFIGS = Path(__file__).with_name("configs")
"""Architecture configs of SD 1.x, SD 2.x and SDXL, so single files load without a download."""
FAMILIES = ("sd1", "sd2", "sdxl")
SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt")
COMPONENT_PREFIXES = ("unet.", "vae.", "text_encoder.")
"""A single file in diffusers layout names its tensors `unet.…`, `vae.…`, `text_encoder.…`."""


@dataclass(frozen=True)
class Identity:
    path: str
    size: int
    mtime_ns: int

    def key(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.mtime_ns)


_scans: dict[str, tuple[list[tuple[str, int]], list[str]]] = {}
"""Per model folder: its folders with their modification times, and its files, as last walked."""


def _walk(folder: str) -> list[os.stat_result]:
    """The stat of every file under `folder`, remembering what was found for `_folder_stats`."""
    found, folders, files, pending = [], [], [], [folder]
    while pending:
        current = pending.pop()
        folders.append((current, os.stat(current).st_mtime_ns))
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    found.append(entry.stat())
                    files.append(entry.path)
    _scans[folder] = (folders, files)
    return found


def _folder_stats(folder: str) -> list[os.stat_result]:
    """The stat of every file under `folder`. A model's identity is asked for on every session:
    while no folder of it changed (no file added, removed or renamed), its files are stat'ed
    again without walking it; an edited file still shows in its own size and time."""
    scan = _scans.get(folder)
    if scan is None:
        return _walk(folder)
    try:
        if any(os.stat(path).st_mtime_ns != mtime for path, mtime in scan[0]):
            return _walk(folder)
        return [os.stat(path) for path in scan[1]]
    except FileNotFoundError:
        return _walk(folder)


def identify(text: str, field: str = "model") -> Identity:
    """The identity of a model folder or file; errors name the path and the field."""
    if not text.strip():
        raise LocatedError("no model path: type one, or set default_model in the [models] section "
                           "of settings.ini (or NODEEDITOR_MODEL)", field=field)
    path = Path(text.strip()).expanduser().resolve()
    try:
        if path.is_dir():
            if not (path / "model_index.json").is_file() and not (path / "unet" / "config.json").is_file():
                raise LocatedError(f"model folder {path} has no model_index.json: not a diffusers folder",
                                   field=field)
            stats = _folder_stats(str(path))
            return Identity(str(path), sum(s.st_size for s in stats), max(s.st_mtime_ns for s in stats))
        if path.suffix.lower() not in SINGLE_FILE_SUFFIXES:
            if not path.exists():
                raise LocatedError(f"model {path} does not exist", field=field)
            raise LocatedError(f"model {path} is neither a diffusers folder nor a .safetensors/.ckpt file",
                               field=field)
        info = path.stat()
    except FileNotFoundError:
        raise LocatedError(f"model file {path} does not exist", field=field) from None
    except OSError as exc:
        raise LocatedError(f"model {path} cannot be read: {exc.strerror or exc}", field=field) from None
    return Identity(str(path), info.st_size, info.st_mtime_ns)


def family_of_keys(keys: set[str], shapes: dict[str, tuple[int, ...]] | None = None) -> str:
    """SD 1.x, 2.x or XL from an original-layout checkpoint's tensor names (what A1111 and
    ComfyUI save); `shapes` settles SD 2.x, whose text encoder alone gives it away."""
    if any(k.startswith("conditioner.embedders.1.") for k in keys):
        return "sdxl"
    if any(k.startswith("cond_stage_model.model.") for k in keys):
        return "sd2"
    context = (shapes or {}).get("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight")
    if context is not None and context[-1] == 1024:
        return "sd2"
    if any(k.startswith("model.diffusion_model.") for k in keys):
        return "sd1"
    raise ValueError("its tensor names match no Stable Diffusion 1.x, 2.x or XL checkpoint")


def is_diffusers_layout(keys: set[str]) -> bool:
    return any(k.startswith("unet.") for k in keys) and not any(k.startswith("model.diffusion_model.") for k in keys)


def folder_family(folder: Path) -> str:
    """sdxl, sd2, sd1, or custom for a diffusers folder of another shape (a tiny test model)."""
    if (folder / "text_encoder_2").is_dir():
        return "sdxl"
    try:
        config = json.loads((folder / "unet" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "custom"
    width = config.get("cross_attention_dim")
    return {768: "sd1", 1024: "sd2"}.get(width, "custom") if config.get("addition_embed_type") is None else "sdxl"


def config_beside(path: Path) -> Path | None:
    """A diffusers config folder (model_index.json and the parts' configs, no weights) named like a
    single-file checkpoint, beside it: the architecture of a checkpoint the shipped configs do not
    describe. Without one, the shipped config of the family its tensor names show is used."""
    folder = path.with_suffix("")
    return folder if (folder / "model_index.json").is_file() and (folder / "unet" / "config.json").is_file() else None


def beside(path: Path, name: str) -> Path | None:
    """A folder named `name` next to a single-file checkpoint (its tokenizer, say), if there is one."""
    for candidate in (path.with_suffix("") / name, path.parent / name):
        if candidate.is_dir():
            return candidate
    return None
