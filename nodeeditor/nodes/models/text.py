"""Prompt to Conditioning: the model's own text encoder turns a prompt into conditioning."""

from __future__ import annotations

from typing import Any

import numpy as np

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.fields import ClipField, ConditioningField
from nodeeditor.core.node import BaseNode, InputField, InputKind, Widget

from ..conditioning import ConditioningOutput
from .extra import model_node, require
from .loader import model_of
from .loading import LoadedModel


def encode(model: LoadedModel, prompt: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(tokens, width) hidden states, and SDXL's pooled embedding (None for SD 1.x and 2.x).

    As diffusers' pipelines do: SD 1.x/2.x take the last hidden state; SDXL concatenates the
    penultimate hidden states of both encoders and pools with the second one's projection."""
    torch = require()[0]

    def run(tokenizer: Any, encoder: Any, penultimate: bool) -> tuple[Any, Any]:
        ids = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length,
                        truncation=True, return_tensors="pt").input_ids.to(model.device)
        out = encoder(ids, output_hidden_states=penultimate)
        return (out.hidden_states[-2] if penultimate else out[0]), out

    with torch.inference_mode():
        if model.text_encoder_2 is None:
            hidden, _ = run(model.tokenizer, model.text_encoder, False)
            return hidden[0].float().cpu().numpy(), None
        first, _ = run(model.tokenizer, model.text_encoder, True)
        second, out = run(model.tokenizer_2, model.text_encoder_2, True)
        hidden = torch.cat([first, second], dim=-1)
        return hidden[0].float().cpu().numpy(), out.text_embeds[0].float().cpu().numpy()


@model_node("prompt_to_conditioning", title="Prompt to Conditioning",
            tags=("text encoder", "clip", "prompt", "embed", "positive", "negative"))
class PromptToConditioningInvocation(BaseNode):
    """Encodes a prompt with the model's CLIP text encoder (both of SDXL's); words past the
    encoder's 77 tokens are dropped."""

    clip: ClipField = InputField(title="CLIP", description="The text encoder, from a Main Model Loader",
                                 input=InputKind.CONNECTION)
    prompt: str = InputField("", description="The text to encode", widget=Widget.MULTILINE)

    def invoke(self, context: InvocationContext) -> ConditioningOutput:
        require()
        model = model_of(context, self.clip, "clip")
        hidden, pooled = encode(model, self.prompt)
        save = context.artifacts.save_tensor
        name = save(np.ascontiguousarray(hidden, dtype=np.float32), kind="conditioning",
                    session_id=context.session_id, node_id=context.node_id)
        pooled_name = None if pooled is None else save(np.ascontiguousarray(pooled, dtype=np.float32),
                                                       kind="conditioning", session_id=context.session_id,
                                                       node_id=context.node_id)
        context.progress(1.0)
        return ConditioningOutput(conditioning=ConditioningField(conditioning_name=name, pooled_name=pooled_name),
                                  rows=hidden.shape[0])
