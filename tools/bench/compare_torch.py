#!/usr/bin/env python3
"""Engine vs PyTorch CPU on the same network, in the same run, one after the other.

For each network it writes an engine weight package from a randomly initialised PyTorch model, runs
`engine bench --model PACKAGE --clip TxHxW --iters N` (the engine's median wall time per forward),
then times the same model's forward in PyTorch (CPU, --threads threads, median of N), and prints
both and the ratio engine / torch. With --rounds R the two sides alternate R times (engine, torch,
engine, torch...) and the ratio is the median of the per-round ratios: on a shared 2-core machine the
load changes within a minute, and a side timed alone can land in a busy or a quiet spell (both the
engine's and torch's medians varied by about 20% between runs), so only alternating pairs compare the
two under the same conditions.

  resnet50_2d  torchvision's ResNet-50, batch 1, 224x224 (the engine runs it as one-frame C2D)
  nl_i3d_r50   I3D R50 with 5 non-local blocks (embedded Gaussian without scale, conv-then-pool,
               half-width blocks (256 channels at res3, 512 at res4) as in the released checkpoints,
               no pool after res2: the mmaction2-style network), batch 1, 8x224x224

    tools/bench/compare_torch.py [--networks resnet50_2d nl_i3d_r50] [--iters 5] [--rounds 1] [--threads 2]
                                 [--engine "dotnet artifacts/bin/Engine.Cli/release/engine.dll"]
Run with Debian's python3 (torch 1.13, OpenBLAS) from the repository root after building.
"""
import argparse
import pathlib
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

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


def engine_median(engine, package, clip, iters):
    command = shlex.split(engine) + ["bench", "--model", str(package), "--clip", clip, "--iters", str(iters)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"engine bench failed ({result.returncode}):\n{result.stderr}")
    match = re.search(r"^median ([0-9.]+) ms over (\d+) runs$", result.stdout, re.MULTILINE)
    if not match:
        sys.exit(f"no median line in the engine's output:\n{result.stdout}")
    return float(match.group(1)), result.stdout


@torch.no_grad()
def torch_median(model, shape, iters):
    x = torch.randn(*shape)
    model(x)  # warm-up
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", nargs="*", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1, help="alternate engine and torch this many times; report the median ratio")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engine", default="dotnet artifacts/bin/Engine.Cli/release/engine.dll")
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
            ratios = []
            for round_ in range(args.rounds):
                engine_ms, output = engine_median(args.engine, package, clip, args.iters)
                if args.table and round_ == 0:
                    print(output)
                torch_ms = torch_median(model, shape, args.iters)
                ratios.append(engine_ms / torch_ms)
                print(f"{name:12} clip {clip:10} engine {engine_ms:9.1f} ms   torch {torch_ms:9.1f} ms   ratio {ratios[-1]:5.2f}", flush=True)
            if args.rounds > 1:
                print(f"{name:12} median ratio {statistics.median(ratios):5.2f} over {args.rounds} rounds "
                      f"(min {min(ratios):.2f}, max {max(ratios):.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
