"""Shared by the export scripts: ONNX export with a dynamic batch axis, and a check against torch."""
import inspect
import sys

OPSET = 17


def export(model, example_inputs, path, input_names, output_names):
    """Exports `model` (eval mode, no grad) with axis 0 of every input and output dynamic ("N")."""
    import torch

    model = model.eval()
    kwargs = dict(
        input_names=list(input_names),
        output_names=list(output_names),
        opset_version=OPSET,
        dynamic_axes={name: {0: "N"} for name in list(input_names) + list(output_names)},
    )
    params = inspect.signature(torch.onnx.export).parameters
    with torch.no_grad():
        if "dynamo" in params:
            # The TorchScript exporter keeps the given names and dynamic_axes on every torch version
            # that has it; newer torch versions may have only the dynamo exporter.
            try:
                torch.onnx.export(model, tuple(example_inputs), path, dynamo=False, **kwargs)
                return
            except Exception as e:  # noqa: BLE001 - fall back to the other exporter, report both if it fails too
                print(f"TorchScript exporter failed ({e}); trying the dynamo exporter", file=sys.stderr)
                torch.onnx.export(model, tuple(example_inputs), path, dynamo=True, **kwargs)
                return
        torch.onnx.export(model, tuple(example_inputs), path, **kwargs)


def verify(model, inputs, path, tolerance=1e-4):
    """Runs the ONNX file with onnxruntime (if installed) and compares it with torch on `inputs`
    (a dict name -> tensor, batch > 1 to exercise the dynamic axis). Returns the max abs difference."""
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime (python) not installed: skipped the check of the export", file=sys.stderr)
        return None
    import numpy as np
    import torch

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = session.run(None, {k: v.numpy() for k, v in inputs.items()})[0]
    with torch.no_grad():
        want = model.eval()(*inputs.values()).numpy()
    diff = float(np.max(np.abs(got - want)))
    scale = float(np.max(np.abs(want))) or 1.0
    print(f"{path}: onnxruntime vs torch on batch {got.shape[0]}: max |diff| = {diff:.3g} (max |value| {scale:.3g})")
    if diff > tolerance * max(1.0, scale):
        sys.exit(f"{path}: the export does not match torch")
    return diff
