"""A diffusers model's tensors renamed to the original (CompVis / A1111) single-file layout.

The inverse of what diffusers' single-file loader converts, after the mapping of diffusers'
scripts/convert_diffusers_to_original_stable_diffusion.py, but for any number of blocks and
layers per block, so the tiny test model can be written the way most users' checkpoints are:
`model.diffusion_model.*` (UNet), `first_stage_model.*` (VAE), `cond_stage_model.transformer.*`
(an SD 1.x CLIP text encoder).
"""

from __future__ import annotations

from typing import Any

UNET_RESNET = (("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("norm2", "out_layers.0"),
               ("conv2", "out_layers.3"), ("time_emb_proj", "emb_layers.1"), ("conv_shortcut", "skip_connection"))
UNET_FIXED = {"time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2",
              "conv_in": "input_blocks.0.0", "conv_norm_out": "out.0", "conv_out": "out.2"}
VAE_ATTENTION = (("group_norm.", "norm."), ("to_q.", "q."), ("to_k.", "k."), ("to_v.", "v."), ("to_out.0.", "proj_out."))


def _unet_prefixes(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(diffusers prefix, original prefix) of every block of a UNet2DConditionModel config."""
    levels, per = len(config["block_out_channels"]), config["layers_per_block"]
    pairs = []
    for i in range(levels):
        for j in range(per):
            pairs.append((f"down_blocks.{i}.resnets.{j}.", f"input_blocks.{1 + i * (per + 1) + j}.0."))
            pairs.append((f"down_blocks.{i}.attentions.{j}.", f"input_blocks.{1 + i * (per + 1) + j}.1."))
        if i < levels - 1:
            pairs.append((f"down_blocks.{i}.downsamplers.0.conv.", f"input_blocks.{(i + 1) * (per + 1)}.0.op."))
        has_attention = config["up_block_types"][i].startswith("CrossAttn")
        for j in range(per + 1):
            pairs.append((f"up_blocks.{i}.resnets.{j}.", f"output_blocks.{i * (per + 1) + j}.0."))
            pairs.append((f"up_blocks.{i}.attentions.{j}.", f"output_blocks.{i * (per + 1) + j}.1."))
        if i < levels - 1:
            pairs.append((f"up_blocks.{i}.upsamplers.0.",
                          f"output_blocks.{i * (per + 1) + per}.{2 if has_attention else 1}."))
    pairs += [("mid_block.resnets.0.", "middle_block.0."), ("mid_block.attentions.0.", "middle_block.1."),
              ("mid_block.resnets.1.", "middle_block.2.")]
    return pairs


def unet_to_original(state: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    prefixes = _unet_prefixes(config)
    out = {}
    for key, tensor in state.items():
        name = key
        for new, old in UNET_FIXED.items():
            if key.startswith(new + "."):
                name = old + key[len(new):]
        for new, old in prefixes:
            if key.startswith(new):
                rest = key[len(new):]
                if ".resnets." in new:
                    for diffusers_part, original_part in UNET_RESNET:
                        if rest.startswith(diffusers_part + "."):
                            rest = original_part + rest[len(diffusers_part):]
                name = old + rest
        out[name] = tensor
    return out


def vae_to_original(state: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    levels = len(config["block_out_channels"])
    prefixes = [("mid_block.resnets.0.", "mid.block_1."), ("mid_block.resnets.1.", "mid.block_2."),
                ("mid_block.attentions.0.", "mid.attn_1.")]
    for i in range(levels):
        prefixes += [(f"encoder.down_blocks.{i}.resnets.", f"encoder.down.{i}.block."),
                     (f"encoder.down_blocks.{i}.downsamplers.0.", f"encoder.down.{i}.downsample."),
                     (f"decoder.up_blocks.{i}.resnets.", f"decoder.up.{levels - 1 - i}.block."),
                     (f"decoder.up_blocks.{i}.upsamplers.0.", f"decoder.up.{levels - 1 - i}.upsample.")]
    out = {}
    for key, tensor in state.items():
        name = key.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
        for new, old in prefixes:
            name = name.replace(new, old)
        if ".mid.attn_1." in name:
            for diffusers_part, original_part in VAE_ATTENTION:
                name = name.replace(".mid.attn_1." + diffusers_part, ".mid.attn_1." + original_part)
            if name.endswith(("q.weight", "k.weight", "v.weight", "proj_out.weight")):
                tensor = tensor.reshape(*tensor.shape, 1, 1)  # linear in diffusers, 1x1 convolution originally
        out[name] = tensor
    return out


def to_original(unet: Any, vae: Any, text_encoder: Any) -> dict[str, Any]:
    """One state dict in the original layout of an SD 1.x checkpoint."""
    tensors = {f"model.diffusion_model.{k}": v for k, v in unet_to_original(unet.state_dict(), unet.config).items()}
    tensors.update({f"first_stage_model.{k}": v for k, v in vae_to_original(vae.state_dict(), vae.config).items()})
    tensors.update({f"cond_stage_model.transformer.{k if k.startswith('text_model.') else 'text_model.' + k}": v
                    for k, v in text_encoder.state_dict().items()})  # transformers 5 dropped the `text_model.`
    return {k: v.contiguous() for k, v in tensors.items()}
