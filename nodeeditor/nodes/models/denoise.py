"""Denoise Latents: the sampling loop, step by step, with progress, previews and cancel between steps.

Written out rather than calling a diffusers pipeline so that each step can report progress and a
preview (the latents -> RGB projection of the latents module), stop when the session is canceled,
and run a slice of the schedule (denoising_start / denoising_end) for image-to-image and for
denoising split across nodes. The arithmetic is the pipelines': classifier-free guidance on a
batch of two, `scale_model_input`, `step` with a seeded generator.
"""

from __future__ import annotations

import copy
import time
from typing import Any, Literal

import numpy as np

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ConditioningField, LatentsField, UNetField
from nodeeditor.core.node import BaseNode, InputField, InputKind

from .._imaging import load_array
from ..latents import LatentsOutput, latents_output, load_latents, preview_image
from .extra import model_node, require
from .loader import model_of
from .loading import LoadedModel

SCHEDULERS = {
    "ddim": ("DDIMScheduler", {}),
    "euler": ("EulerDiscreteScheduler", {}),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}),
    "dpmpp_2m": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2}),
}
Scheduler = Literal["ddim", "euler", "euler_a", "dpmpp_2m"]
PREVIEW_INTERVAL_S = 0.25
"""Previews are PNG artifacts: one every quarter of a second (the result brings its own)."""


def make_scheduler(model: LoadedModel, name: str) -> Any:
    """A fresh scheduler: a copy of one built per model (from_config inspects signatures, ~1 ms)."""
    prototype = model.schedulers.get(name)
    if prototype is None:
        diffusers = require()[1]
        class_name, options = SCHEDULERS[name]
        prototype = model.schedulers[name] = getattr(diffusers, class_name).from_config(model.scheduler_config,
                                                                                       **options)
    return copy.deepcopy(prototype)


def seeded(seed: int) -> Any:
    """diffusers' seeded randomness: a CPU generator, so a seed gives the same numbers everywhere."""
    return require()[0].Generator("cpu").manual_seed(seed)


@model_node("denoise_latents", title="Denoise Latents",
            tags=("sampler", "diffusion", "unet", "txt2img", "img2img", "scheduler", "cfg"))
class DenoiseLatentsInvocation(BaseNode):
    """Runs the UNet over noise (text to image) or over latents (image to image) for a number of
    steps, guided by positive and negative conditioning."""

    unet: UNetField = InputField(title="UNet", description="The UNet, from a Main Model Loader",
                                 input=InputKind.CONNECTION)
    positive_conditioning: ConditioningField = InputField(description="What the image should show",
                                                          input=InputKind.CONNECTION)
    negative_conditioning: ConditioningField | None = InputField(
        None, description="What to steer away from; without it there is no guidance", input=InputKind.CONNECTION)
    noise: LatentsField | None = InputField(None, description="Starting noise (Noise Latents)",
                                            input=InputKind.CONNECTION)
    latents: LatentsField | None = InputField(None, description="Latents to start from (image to image); "
                                              "without noise they are denoised as they are",
                                              input=InputKind.CONNECTION)
    steps: int = InputField(20, ge=1, le=1000, description="Number of steps of the whole schedule")
    cfg_scale: float = InputField(7.5, ge=1, le=50, description="Guidance: how strongly to follow the prompt")
    scheduler: Scheduler = InputField("euler", description="The sampler: ddim, euler, euler_a (ancestral) "
                                                           "or dpmpp_2m (DPM++ 2M)")
    
    denoising_start: float = InputField(0.0, ge=0, le=1, description="Where in the schedule to begin (0: all noise)")
    denoising_end: float = InputField(1.0, ge=0, le=1, description="Where in the schedule to stop (1: finished)")
    seed: int = InputField(0, ge=0, le=2**63 - 1, description="Seed of the sampler's own noise (and of the "
                                                               "starting noise when none is linked)")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        torch = require()[0]
        if self.noise is None and self.latents is None:
            raise LocatedError("link noise (text to image) or latents (image to image)", field="noise")
        if self.denoising_end <= self.denoising_start:
            raise LocatedError(f"denoising_end {self.denoising_end} must be after denoising_start "
                               f"{self.denoising_start}", field="denoising_end")
        model = model_of(context, self.unet, "unet")
        with torch.inference_mode():
            result = self._run(context, model, torch)
        seed = self.noise.seed if self.noise is not None else self.seed
        return latents_output(context, result, seed)

    def _tensor(self, torch: Any, array: np.ndarray, model: LoadedModel) -> Any:
        return torch.from_numpy(np.ascontiguousarray(array))[None].to(model.device, model.dtype)

    def _conditioning(self, context: InvocationContext, torch: Any, model: LoadedModel,
                      field: str, ref: ConditioningField) -> tuple[Any, Any]:
        width = model.unet.config.cross_attention_dim
        array = load_array(context, field, ref.conditioning_name)
        if array.ndim != 2 or array.shape[1] != width:
            raise LocatedError(f"this UNet takes conditioning {width} wide, got shape {array.shape}; "
                               "encode the prompt with the same model's Prompt to Conditioning", field=field)
        pooled = None
        if model.family == "sdxl":
            if ref.pooled_name is None:
                raise LocatedError("SDXL needs the pooled embedding of Prompt to Conditioning", field=field)
            pooled = self._tensor(torch, load_array(context, field, ref.pooled_name), model)
        return self._tensor(torch, array, model), pooled

    def _start(self, context: InvocationContext, torch: Any, model: LoadedModel, scheduler: Any,
               timesteps: Any) -> Any:
        noise = latents = None
        if self.noise is not None:
            noise = self._tensor(torch, load_latents(context, "noise", self.noise), model)
        if self.latents is not None:
            latents = self._tensor(torch, load_latents(context, "latents", self.latents), model)
            if noise is not None and noise.shape != latents.shape:
                raise LocatedError(f"noise shaped {tuple(noise.shape[1:])} does not match latents shaped "
                                   f"{tuple(latents.shape[1:])}", field="noise")
        channels = model.unet.config.in_channels
        first = noise if noise is not None else latents
        if first.shape[1] != channels:
            raise LocatedError(f"this UNet takes {channels} latent channels, got {first.shape[1]}",
                               field="noise" if noise is not None else "latents")
        if latents is None:
            if self.denoising_start == 0:
                return noise * scheduler.init_noise_sigma
            return scheduler.add_noise(torch.zeros_like(noise), noise, timesteps[:1])
        if noise is None:
            return latents
        return scheduler.add_noise(latents, noise, timesteps[:1])

    def _run(self, context: InvocationContext, model: LoadedModel, torch: Any) -> np.ndarray:
        scheduler = make_scheduler(model, self.scheduler)
        scheduler.set_timesteps(self.steps, device=model.device)
        order = scheduler.order
        begin = min(int(round(self.denoising_start * self.steps)), self.steps) * order
        end = int(round(self.denoising_end * self.steps)) * order
        timesteps = scheduler.timesteps[begin:end]
        if len(timesteps) == 0:
            raise LocatedError(f"{self.steps} steps from {self.denoising_start} to {self.denoising_end} "
                               "leave no step to run", field="steps")
        if hasattr(scheduler, "set_begin_index"):
            scheduler.set_begin_index(begin)
        positive, pooled = self._conditioning(context, torch, model, "positive_conditioning",
                                              self.positive_conditioning)
        guided = self.negative_conditioning is not None and self.cfg_scale > 1
        if guided:
            negative, negative_pooled = self._conditioning(context, torch, model, "negative_conditioning",
                                                           self.negative_conditioning)
            if negative.shape != positive.shape:
                raise LocatedError(f"negative conditioning shaped {tuple(negative.shape[1:])} differs from the "
                                   f"positive {tuple(positive.shape[1:])}", field="negative_conditioning")
            context_states = torch.cat([negative, positive])
            pooled = torch.cat([negative_pooled, pooled]) if pooled is not None else None
        else:
            context_states = positive
        x = self._start(context, torch, model, scheduler, timesteps)
        extra = self._sdxl_conditions(torch, model, x, pooled, 2 if guided else 1)
        generator = seeded(self.seed)
        last_preview = time.monotonic()
        for index, t in enumerate(timesteps):
            context.check_canceled()
            batch = torch.cat([x, x]) if guided else x
            batch = scheduler.scale_model_input(batch, t)
            prediction = model.unet(batch, t, encoder_hidden_states=context_states, return_dict=False, **extra)[0]
            if guided:
                uncond, cond = prediction.chunk(2)
                prediction = uncond + self.cfg_scale * (cond - uncond)
            x = scheduler.step(prediction, t, x, generator=generator, return_dict=False)[0]
            now = time.monotonic()
            preview = None
            if index + 1 < len(timesteps) and now - last_preview >= PREVIEW_INTERVAL_S:
                last_preview = now
                preview = self._preview(context, x)
            context.progress((index + 1) / len(timesteps), f"step {index + 1}/{len(timesteps)}", preview)
        return x[0].float().cpu().numpy()

    def _preview(self, context: InvocationContext, x: Any) -> str | None:
        """The latents -> RGB projection at latent size: cheap, and close enough to watch."""
        latents = x[0].float().cpu().numpy()
        if latents.shape[0] != 4:
            return None
        return context.artifacts.save_image(preview_image(latents), session_id=context.session_id,
                                            node_id=context.node_id)

    def _sdxl_conditions(self, torch: Any, model: LoadedModel, x: Any, pooled: Any, copies: int) -> dict[str, Any]:
        """SDXL's extra inputs: the pooled text embedding and (size, crop, target size) time ids."""
        if model.family != "sdxl":
            return {}
        height, width = x.shape[2] * model.vae_scale, x.shape[3] * model.vae_scale
        time_ids = torch.tensor([[height, width, 0, 0, height, width]] * copies, device=model.device,
                                dtype=model.dtype)
        return {"added_cond_kwargs": {"text_embeds": pooled, "time_ids": time_ids}}
