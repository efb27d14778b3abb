#!/usr/bin/env python3
"""Export a CLIP model's towers to ONNX with Hugging Face transformers, for autombw's ONNX scorers.

  vision (--vision-out): CLIPVisionModelWithProjection
      input  pixel_values [N, 3, S, S] float32 (S = 224 for ViT-L/14 and ViT-B/32, 336 for -336;
             preprocess: clip-vit-l14 / clip-vit-b32 / clip-vit-l14-336 in autombw)
      output image_embeds [N, projection_dim]  (768 for ViT-L/14, 512 for ViT-B/32, 1024 for ViT-H/14)
  text (--text-out): CLIPTextModelWithProjection
      inputs input_ids [N, 77] int64, attention_mask [N, 77] int64
      output text_embeds [N, projection_dim]
  tokenizer (--tokenizer-out DIR): vocab.json and merges.txt, for the scorer's `tokenizer`.

The embeddings are not normalized; autombw normalizes them (normalize: true). Pair the vision tower
with a head (export_laion_head.py) for aesthetic scores, or with the text tower for prompt
similarity (CLIP score; PickScore and HPS v2 are CLIP-H/14 fine-tunes exported the same way).

Examples (MODEL is a Hugging Face id, or a local folder with config.json and the weights):
  python3 scripts/export_clip.py --model openai/clip-vit-large-patch14 --vision-out models/clip-l14-vision.onnx
  python3 scripts/export_clip.py --model yuvalkirstain/PickScore_v1 --vision-out models/pick-vision.onnx \\
      --text-out models/pick-text.onnx --tokenizer-out models/pick-tokenizer
  python3 scripts/export_clip.py --random-tiny --vision-out /tmp/v.onnx --text-out /tmp/t.onnx   # no download
Needs torch and transformers; the check after export needs onnxruntime.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _onnx_export import export, verify  # noqa: E402

CONTEXT = 77


def tiny_configs(image_size, projection_dim):
    """A small randomly initialized CLIP (no download), with the real architecture."""
    from transformers import CLIPTextConfig, CLIPVisionConfig

    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                              image_size=image_size, patch_size=32, projection_dim=projection_dim)
    text = CLIPTextConfig(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=4, max_position_embeddings=CONTEXT, projection_dim=projection_dim,
                          eos_token_id=999, bos_token_id=998, pad_token_id=999)
    return vision, text


def eager(config):
    # The explicit attention path exports to plain ONNX ops on every transformers version.
    try:
        config._attn_implementation = "eager"
    except Exception:  # noqa: BLE001 - older versions have no such setting and use eager anyway
        pass
    return config


def vision_tower(args):
    import torch.nn as nn
    from transformers import CLIPVisionModelWithProjection

    if args.random_tiny:
        model = CLIPVisionModelWithProjection(eager(tiny_configs(args.image_size, args.projection_dim)[0]))
    else:
        model = CLIPVisionModelWithProjection.from_pretrained(args.model, attn_implementation="eager")

    class Vision(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, pixel_values):
            return self.model(pixel_values=pixel_values).image_embeds

    return Vision(), model.config.image_size


def text_tower(args):
    import torch.nn as nn
    from transformers import CLIPTextModelWithProjection

    if args.random_tiny:
        model = CLIPTextModelWithProjection(eager(tiny_configs(args.image_size, args.projection_dim)[1]))
    else:
        model = CLIPTextModelWithProjection.from_pretrained(args.model, attn_implementation="eager")

    class Text(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).text_embeds

    return Text(), model.config.vocab_size


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="Hugging Face model id or local folder")
    source.add_argument("--random-tiny", action="store_true", help="a small random CLIP, to test the export path")
    p.add_argument("--vision-out", help="ONNX file for the vision tower")
    p.add_argument("--text-out", help="ONNX file for the text tower")
    p.add_argument("--tokenizer-out", help="folder for vocab.json and merges.txt")
    p.add_argument("--image-size", type=int, default=224, help="with --random-tiny")
    p.add_argument("--projection-dim", type=int, default=768, help="with --random-tiny")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if not (args.vision_out or args.text_out or args.tokenizer_out):
        p.error("nothing to do: give --vision-out, --text-out and/or --tokenizer-out")

    import torch

    torch.manual_seed(args.seed)
    if args.vision_out:
        vision, size = vision_tower(args)
        export(vision, [torch.zeros(1, 3, size, size)], args.vision_out, ["pixel_values"], ["image_embeds"])
        verify(vision, {"pixel_values": torch.randn(2, 3, size, size)}, args.vision_out)
        print(f"wrote {args.vision_out}")
    if args.text_out:
        text, vocab = text_tower(args)
        ids = torch.randint(0, vocab - 2, (2, CONTEXT))
        mask = torch.ones(2, CONTEXT, dtype=torch.int64)
        mask[1, 10:] = 0
        export(text, [ids[:1], mask[:1]], args.text_out, ["input_ids", "attention_mask"], ["text_embeds"])
        verify(text, {"input_ids": ids, "attention_mask": mask}, args.text_out)
        print(f"wrote {args.text_out}")
    if args.tokenizer_out:
        if args.random_tiny:
            p.error("--tokenizer-out needs --model (a random model has no tokenizer)")
        from transformers import CLIPTokenizer

        CLIPTokenizer.from_pretrained(args.model).save_pretrained(args.tokenizer_out)
        print(f"wrote {args.tokenizer_out}/vocab.json and merges.txt")


if __name__ == "__main__":
    main()
