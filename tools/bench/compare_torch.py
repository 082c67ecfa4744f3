#!/usr/bin/env python3
"""Engine vs PyTorch CPU vs ONNX Runtime CPU on the same network, in the same run, one after the other.

For each network it writes an engine weight package from a randomly initialised PyTorch model and
exports the same model to ONNX (`torch.onnx.export`, opset 17) in a temporary folder, checks once that
ONNX Runtime's output matches torch's on one input, then times three sides:
  engine  `engine bench --model PACKAGE --clip TxHxW --iters N` (its median wall time per forward)
  torch   the model's forward in PyTorch (CPU, --threads threads, warm-up then the median of N)
  ort     `onnxruntime-bench --model MODEL.onnx --iters N --threads T` (tools/bench/OnnxRuntimeBench:
          Microsoft.ML.OnnxRuntime from C#, CPU execution provider, T intra-op threads, 1 inter-op,
          all graph optimisations; warm-up then the median of N)
and prints the three medians, each with its CPU time per run in parentheses (all threads of the process:
steadier than wall time when other work loads the machine), the ratios engine / torch and
engine / ort, and the 1-minute load average when the round started. With --rounds R the sides alternate R times (engine, torch, ort, engine, torch, ort...)
and each ratio is also given as the median of the per-round ratios: on a shared 2-core machine the
load changes within a minute, and a side timed alone can land in a busy or a quiet spell (both the
engine's and torch's medians varied by about 20% between runs), so only alternating rounds compare
the sides under the same conditions.
--no-ort leaves ONNX Runtime out (no export, two sides as before).

  resnet50_2d  torchvision's ResNet-50, batch 1, 224x224 (the engine runs it as one-frame C2D)
  nl_i3d_r50   I3D R50 with 5 non-local blocks (embedded Gaussian without scale, conv-then-pool,
               half-width blocks (256 channels at res3, 512 at res4) as in the released checkpoints,
               no pool after res2: the mmaction2-style network), batch 1, 8x224x224

    tools/bench/compare_torch.py [--networks resnet50_2d nl_i3d_r50] [--iters 5] [--rounds 1] [--threads 2]
                                 [--engine "dotnet artifacts/bin/Engine.Cli/release/engine.dll"]
                                 [--ort "dotnet artifacts/bin/OnnxRuntimeBench/release/onnxruntime-bench.dll"] [--no-ort] [--precision fp16]
Run with Debian's python3 (torch 1.13, OpenBLAS) from the repository root after building the solution
(`dotnet build Engine.sln -c Release` builds both the engine and onnxruntime-bench).
"""
import argparse
import os
import pathlib
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import torch  # noqa: E402

from reference.video_resnet import (VideoResNet, i3d_r50, package_tensors, randomize, resnet50_2d,  # noqa: E402
                                    torchvision_package_tensors, write_package)


def torchvision_resnet50():
    import torchvision

    model = torchvision.models.resnet50()
    return model.eval(), resnet50_2d(), torchvision_package_tensors(model), (1, 3, 224, 224), "1x224x224"


def nl_i3d_r50():
    arch = i3d_r50(pool_after_res2=False, scale=False, subsample="conv_then_pool")
    model = VideoResNet(arch).eval()
    randomize(model)
    return model, arch, package_tensors(model), (1, 3, 8, 224, 224), "8x224x224"


NETWORKS = {"resnet50_2d": torchvision_resnet50, "nl_i3d_r50": nl_i3d_r50}

# The newest opset torch 1.13's exporter writes (its default is 14); ONNX Runtime 1.32 runs it.
ONNX_OPSET = 17


@torch.no_grad()
def export_onnx(model, shape, path):
    """The model as ONNX with one input `input` of the fixed `shape` and its output `output`, as a user
    of torch would hand it to ONNX Runtime (constants folded; ONNX Runtime does its own fusions)."""
    torch.onnx.export(model, torch.randn(*shape), str(path), opset_version=ONNX_OPSET, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)


def parse_median(name, result):
    """The `median X ms over N runs` line that both `engine bench` and onnxruntime-bench print."""
    if result.returncode != 0:
        sys.exit(f"{name} failed ({result.returncode}):\n{result.stderr}")
    match = re.search(r"^median ([0-9.]+) ms over (\d+) runs$", result.stdout, re.MULTILINE)
    if not match:
        sys.exit(f"no median line in the output of {name}:\n{result.stdout}")
    return float(match.group(1))


def parse_cpu(output):
    """The `cpu X ms per run` line (CPU time of all the process's threads per run), None if absent."""
    match = re.search(r"^cpu ([0-9.]+) ms per run", output, re.MULTILINE)
    return float(match.group(1)) if match else None


def engine_median(engine, package, clip, iters, precision):
    command = shlex.split(engine) + ["bench", "--model", str(package), "--clip", clip, "--iters", str(iters), "--precision", precision]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return parse_median("engine bench", result), parse_cpu(result.stdout), result.stdout


def ort_median(ort, onnx, iters, threads):
    command = shlex.split(ort) + ["--model", str(onnx), "--iters", str(iters), "--threads", str(threads)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return parse_median("onnxruntime-bench", result), parse_cpu(result.stdout)


@torch.no_grad()
def ort_check(ort, model, onnx, shape, threads):
    """Runs ONNX Runtime once on a random input and compares its output with torch's: a side that
    computes something else would be timed for nothing. Returns the largest difference relative to the
    largest output."""
    x = torch.randn(*shape)
    expected = model(x).numpy()
    folder = onnx.parent
    np.save(folder / "check_input.npy", x.numpy())
    command = shlex.split(ort) + ["--model", str(onnx), "--input", str(folder / "check_input.npy"),
                                  "--output", str(folder / "check_output.npy"), "--iters", "1", "--threads", str(threads)]
    parse_median("onnxruntime-bench", subprocess.run(command, capture_output=True, text=True, cwd=ROOT))
    actual = np.load(folder / "check_output.npy")
    if actual.shape != expected.shape:
        sys.exit(f"{onnx.name}: ONNX Runtime's output is {actual.shape}, torch's {expected.shape}")
    error = float(np.abs(actual - expected).max() / max(float(np.abs(expected).max()), 1e-12))
    if not error < 1e-3:
        sys.exit(f"{onnx.name}: ONNX Runtime's output differs from torch's by {error:.2e} of the largest output")
    return error


@torch.no_grad()
def torch_median(model, shape, iters):
    x = torch.randn(*shape)
    model(x)  # warm-up
    times = []
    cpu = time.process_time()
    for _ in range(iters):
        start = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - start) * 1000)
    # CPU time of all of this process's threads, as the engine and onnxruntime-bench report theirs.
    return statistics.median(times), (time.process_time() - cpu) * 1000 / iters


def cpu_text(ms):
    return f"(cpu {ms:7.1f})" if ms is not None else "(cpu       ?)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", nargs="*", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1, help="alternate engine, torch and ONNX Runtime this many times; report the median ratios")
    parser.add_argument("--threads", type=int, default=2, help="torch's threads and ONNX Runtime's intra-op threads")
    parser.add_argument("--engine", default="dotnet artifacts/bin/Engine.Cli/release/engine.dll")
    parser.add_argument("--ort", default="dotnet artifacts/bin/OnnxRuntimeBench/release/onnxruntime-bench.dll",
                        help="the ONNX Runtime timer (tools/bench/OnnxRuntimeBench)")
    parser.add_argument("--no-ort", action="store_true", help="leave ONNX Runtime out: engine and torch only")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "fp16"], help="the engine's weight storage (`engine bench --precision`)")
    parser.add_argument("--table", action="store_true", help="also print the engine's per-node table")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    blas = pathlib.Path("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas.resolve() if blas.exists() else 'unknown'}")
    with tempfile.TemporaryDirectory(prefix="compare-torch-") as work:
        for name in args.networks:
            model, arch, tensors, shape, clip = NETWORKS[name]()
            package = pathlib.Path(work) / f"{name}.safetensors"
            write_package(package, arch, tensors)
            onnx = pathlib.Path(work) / f"{name}.onnx"
            if not args.no_ort:
                export_onnx(model, shape, onnx)
                error = ort_check(args.ort, model, onnx, shape, args.threads)
                print(f"{name:12} ONNX opset {ONNX_OPSET}: ONNX Runtime's output matches torch's within {error:.1e} of the largest output", flush=True)
            ratios, ort_ratios = [], []
            for round_ in range(args.rounds):
                load = os.getloadavg()[0]
                engine_ms, engine_cpu, output = engine_median(args.engine, package, clip, args.iters, args.precision)
                if args.table and round_ == 0:
                    print(output)
                torch_ms, torch_cpu = torch_median(model, shape, args.iters)
                ratios.append(engine_ms / torch_ms)
                # Wall time medians, then each side's CPU time per run (steadier than wall time under load).
                line = f"{name:12} clip {clip:10} engine {engine_ms:9.1f} ms {cpu_text(engine_cpu)}  torch {torch_ms:9.1f} ms {cpu_text(torch_cpu)}"
                if args.no_ort:
                    line += f"  ratio {ratios[-1]:5.2f}"
                else:
                    ort_ms, ort_cpu = ort_median(args.ort, onnx, args.iters, args.threads)
                    ort_ratios.append(engine_ms / ort_ms)
                    line += f"  ort {ort_ms:9.1f} ms {cpu_text(ort_cpu)}  engine/torch {ratios[-1]:5.2f}  engine/ort {ort_ratios[-1]:5.2f}"
                # The 1-minute load average at the round's start: the machine is shared, and every side's
                # wall time (torch's most: its OpenMP threads wait for each other) follows the load.
                print(f"{line}  load {load:.1f}", flush=True)
            if args.rounds > 1:
                for label, values in (("engine/torch", ratios), ("engine/ort", ort_ratios)):
                    if values:
                        print(f"{name:12} median {label} {statistics.median(values):5.2f} over {args.rounds} rounds "
                              f"(min {min(values):.2f}, max {max(values):.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
