#!/usr/bin/env python3
"""Export a LAION aesthetic predictor head to ONNX, for autombw's `encoder` + `head` scorer.

Architectures (exact layer sizes; `dim` is the CLIP embedding width, 768 for ViT-L/14):

  v2  christophschuhmann/improved-aesthetic-predictor (sac+logos+ava1-l14-linearMSE.pth), and the
      "chad" heads (SD-Chad chadscorer.pth, ava+logos-l14-linearMSE.pth), which share its shape:
        layers.0  Linear(dim -> 1024)
        layers.1  Dropout(0.2)
        layers.2  Linear(1024 -> 128)
        layers.3  Dropout(0.2)
        layers.4  Linear(128 -> 64)
        layers.5  Dropout(0.1)
        layers.6  Linear(64 -> 16)
        layers.7  Linear(16 -> 1)
      No activations: at inference (dropout off) the head is one affine map.
      State dict keys: layers.{0,2,4,6,7}.{weight,bias}.
  v1  LAION-AI/aesthetic-predictor (sa_0_4_vit_l_14_linear.pth): Linear(dim -> 1),
      state dict keys: weight [1, dim], bias [1].

The ONNX model takes `embedding` [N, dim] and returns `score` [N, 1] (N dynamic). The heads were
trained on L2-normalized CLIP image embeddings: keep the scorer's `normalize: true` (the default).
Scores are on the AVA scale (about 1..10; SD images mostly 4.5..7).

Examples:
  python3 scripts/export_laion_head.py --weights sac+logos+ava1-l14-linearMSE.pth --out models/laion-v2.onnx
  python3 scripts/export_laion_head.py --arch v1 --weights sa_0_4_vit_l_14_linear.pth --out models/laion-v1.onnx
  python3 scripts/export_laion_head.py --random --out /tmp/head.onnx     # random weights, to test the path
Needs torch; the check after export needs onnxruntime (pip install onnxruntime).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _onnx_export import export, verify  # noqa: E402

V2_WIDTHS = [1024, 128, 64, 16, 1]


def build_head(arch, dim):
    import torch.nn as nn

    if arch == "v1":
        return nn.Linear(dim, 1)

    class AestheticV2(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(
                nn.Linear(dim, 1024),
                nn.Dropout(0.2),
                nn.Linear(1024, 128),
                nn.Dropout(0.2),
                nn.Linear(128, 64),
                nn.Dropout(0.1),
                nn.Linear(64, 16),
                nn.Linear(16, 1),
            )

        def forward(self, embedding):
            return self.layers(embedding)

    return AestheticV2()


def load_state(path):
    import torch

    if path.endswith(".safetensors"):
        from safetensors.torch import load_file

        state = load_file(path)
    else:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except TypeError:  # torch < 1.13 has no weights_only
            state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    # Lightning-style checkpoints prefix the keys with the attribute the head was stored under.
    return {k[len("model."):] if k.startswith("model.") else k: v for k, v in state.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["v2", "v1"], default="v2", help="head architecture (default v2; chad heads are v2)")
    p.add_argument("--dim", type=int, default=768, help="embedding width (768 for CLIP ViT-L/14, 512 for ViT-B/32)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--weights", help=".pth/.pt state dict or .safetensors of the head")
    source.add_argument("--random", action="store_true", help="random weights (to test the export path)")
    p.add_argument("--seed", type=int, default=0, help="seed for --random")
    p.add_argument("--out", required=True, help="ONNX file to write")
    args = p.parse_args()

    import torch

    torch.manual_seed(args.seed)
    head = build_head(args.arch, args.dim)
    if args.weights:
        head.load_state_dict(load_state(args.weights), strict=True)
    export(head, [torch.zeros(1, args.dim)], args.out, ["embedding"], ["score"])
    x = torch.nn.functional.normalize(torch.randn(3, args.dim), dim=-1)
    verify(head, {"embedding": x}, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
