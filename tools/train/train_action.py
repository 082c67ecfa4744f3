#!/usr/bin/python3
"""Trains the default action model: a small non-local I3D ResNet in mmaction2's naming, on clips of
the engine's synthetic scene (its own generator, through `engine synth`), and saves an mmaction2-style
checkpoint ({"meta", "state_dict"}) that `weight-converter convert` turns into a weight package.

    /usr/bin/python3 tools/train/train_action.py [--out models/default] [--engine CMD] [--epochs N]

The training and held-out clips come from different scene seeds (TRAIN_SEEDS, TEST_SEED), each clip
placed anywhere inside one scripted action. Every random choice is seeded and torch runs with
deterministic algorithms on 2 threads, so a fresh run on the same torch gives the same weights and
the same held-out accuracy. See tools/train/README.md.
"""
import argparse
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

# Threads that wait sleep instead of spinning: on a shared, oversubscribed machine spinning OpenMP
# threads made every step 20-50 times slower.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402 (after the OpenMP setting, which must precede torch's import)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The clip the live host feeds the network: 8 frames, every 4th, short side resized to 48, centre
# crop 48 (64 trains at half the speed), mmaction2's ImageNet normalisation on 0..255 (the converter's mmaction2 default).
FRAMES, SAMPLING_RATE, SHORT_SIDE, CROP = 8, 4, 48, 48
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
# The live synthetic source renders 320x240 (SyntheticSource's default); train on what it shows.
SCENE_SIZE = (320, 240)

# ResNet widths follow the converter's rule (inner = stem width << stage, out = 4 x inner).
STEM_WIDTH = 8
STAGE_BLOCKS = [1, 2, 2, 1]
# mmaction2's I3D inflation pattern (1 = temporal kernel 3), cut to the blocks above.
INFLATE = [[1], [1, 0], [1, 0], [0]]
# (stage index into layer1..4, block): non-local blocks after these blocks.
NON_LOCAL = [(1, 1), (2, 0), (2, 1)]

CHECKPOINT = "nl_i3d_synthetic.pth"
TRAIN_SEEDS = range(1001, 1011)  # 10 timelines
CLIPS_PER_SEED = 240
TEST_SEED = 2001
TEST_CLIPS = 200

# Flips that turn one action into another: (horizontal, vertical) -> class permutation.
# Classes: 0 left, 1 right, 2 up, 3 down, 4 cw, 5 ccw, 6 grow, 7 shrink, 8 appear, 9 disappear.
HFLIP = [1, 0, 2, 3, 5, 4, 6, 7, 8, 9]
VFLIP = [0, 1, 3, 2, 5, 4, 6, 7, 8, 9]


class ConvModule(nn.Module):
    """mmcv's ConvModule: conv (no bias before a BN), BN, optional ReLU; keys `.conv`, `.bn`."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0, relu=True):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, kernel, stride, padding, bias=False)
        self.bn = nn.BatchNorm3d(cout)
        self.relu = relu

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class Embed(nn.Module):
    """A 1x1x1 conv with bias and no BN, keyed `.conv` as mmcv's ConvModule without a norm."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, 1)

    def forward(self, x):
        return self.conv(x)


class NonLocal3d(nn.Module):
    """mmcv's NonLocal3d, embedded Gaussian, use_scale False, sub_sample (conv, then max-pool 1x2x2)."""

    def __init__(self, channels):
        super().__init__()
        inner = channels // 2
        self.inner = inner
        self.g = nn.Sequential(Embed(channels, inner), nn.MaxPool3d((1, 2, 2)))
        self.theta = Embed(channels, inner)
        self.phi = nn.Sequential(Embed(channels, inner), nn.MaxPool3d((1, 2, 2)))
        self.conv_out = ConvModule(inner, channels, 1, relu=False)
        nn.init.zeros_(self.conv_out.bn.weight)  # starts as an identity, as mmcv does

    def forward(self, x):
        n = x.shape[0]
        g = self.g(x).reshape(n, self.inner, -1).permute(0, 2, 1)
        theta = self.theta(x).reshape(n, self.inner, -1).permute(0, 2, 1)
        phi = self.phi(x).reshape(n, self.inner, -1)
        attention = torch.softmax(theta @ phi, dim=-1)
        y = (attention @ g).permute(0, 2, 1).reshape(n, self.inner, *x.shape[2:])
        return x + self.conv_out(y)


class Bottleneck3d(nn.Module):
    def __init__(self, cin, inner, stride, inflate, non_local):
        super().__init__()
        kt = 3 if inflate else 1
        self.conv1 = ConvModule(cin, inner, (kt, 1, 1), padding=(kt // 2, 0, 0))
        self.conv2 = ConvModule(inner, inner, (1, 3, 3), (1, stride, stride), (0, 1, 1))
        self.conv3 = ConvModule(inner, inner * 4, 1, relu=False)
        self.downsample = ConvModule(cin, inner * 4, 1, (1, stride, stride), relu=False) if stride != 1 or cin != inner * 4 else None
        if non_local:
            self.non_local_block = NonLocal3d(inner * 4)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.conv3(self.conv2(self.conv1(x))) + identity)
        return self.non_local_block(out) if hasattr(self, "non_local_block") else out


class ResNet3d(nn.Module):
    """mmaction2's ResNet3d layout: conv1 3x7x7 (conv1_kernel=(3, 7, 7); 5x7x7 costs 40% more to train) stride (1,2,2), max-pool (1,3,3) stride (1,2,2)
    padded, layer1, temporal max-pool (2,1,1) after it, layer2..4 (spatial stride on conv2)."""

    def __init__(self):
        super().__init__()
        self.conv1 = ConvModule(3, STEM_WIDTH, (3, 7, 7), (1, 2, 2), (1, 3, 3))
        self.maxpool = nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1))
        self.pool2 = nn.MaxPool3d((2, 1, 1), (2, 1, 1))
        cin = STEM_WIDTH
        for s, blocks in enumerate(STAGE_BLOCKS):
            inner = STEM_WIDTH << s
            layer = nn.Sequential(*[
                Bottleneck3d(cin if k == 0 else inner * 4, inner, 2 if k == 0 and s > 0 else 1, INFLATE[s][k], (s, k) in NON_LOCAL)
                for k in range(blocks)])
            self.add_module(f"layer{s + 1}", layer)
            cin = inner * 4
        self.channels = cin

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.pool2(self.layer1(x))
        return self.layer4(self.layer3(self.layer2(x)))


class I3DHead(nn.Module):
    def __init__(self, channels, classes):
        super().__init__()
        self.dropout = nn.Dropout(0.3)
        self.fc_cls = nn.Linear(channels, classes)

    def forward(self, x):
        return self.fc_cls(self.dropout(x.mean(dim=(2, 3, 4))))


class Recognizer3D(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.backbone = ResNet3d()
        self.cls_head = I3DHead(self.backbone.channels, classes)

    def forward(self, x):
        return self.cls_head(self.backbone(x))


def resize_short_side(clips: torch.Tensor) -> torch.Tensor:
    """(N, T, H, W, 3) uint8 -> (N, 3, T, h, w) float, short side SHORT_SIDE, bilinear, align_corners
    False, no antialias: the engine's preprocess (shaders/video/preprocess.comp) before the crop."""
    n, t, h, w, _ = clips.shape
    nh, nw = (int(SHORT_SIDE * h / w), SHORT_SIDE) if w <= h else (SHORT_SIDE, int(SHORT_SIDE * w / h))
    x = clips.permute(0, 1, 4, 2, 3).reshape(n * t, 3, h, w).float()
    x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False)
    return x.reshape(n, t, 3, nh, nw).permute(0, 2, 1, 3, 4)


def normalize(x: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(MEAN).view(1, 3, 1, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1, 1)
    return (x - mean) / std


def centre_crop(x: torch.Tensor) -> torch.Tensor:
    nh, nw = x.shape[-2:]
    cy, cx = int(round((nh - CROP) / 2.0)), int(round((nw - CROP) / 2.0))
    return x[..., cy:cy + CROP, cx:cx + CROP]


def engine_command(arg: str | None) -> list[str]:
    if arg:
        return shlex.split(arg)
    dll = ROOT / "artifacts/bin/Engine.Cli/release/engine.dll"
    if not dll.exists():
        sys.exit(f"error: {dll} is missing; build first (./engine.sh devices) or pass --engine")
    return ["dotnet", str(dll)]


def synth(engine: list[str], seed: int, clips: int, work: pathlib.Path):
    """Clips of one timeline of the scene from `engine synth`, resized: ((N, 3, T, 64, w) float16, labels, info)."""
    out = work / f"seed-{seed}"
    subprocess.run([*engine, "synth", "--out", str(out), "--clips", str(clips), "--seed", str(seed),
                    "--size", f"{SCENE_SIZE[0]}x{SCENE_SIZE[1]}", "--frames", str(FRAMES),
                    "--sampling-rate", str(SAMPLING_RATE), "--placement", "random"], check=True, stdout=subprocess.DEVNULL)
    info = json.loads((out / "labels.json").read_text())
    data = []
    for start in range(0, clips, 40):
        batch = np.stack([np.load(out / c["file"]) for c in info["clips"][start:start + 40]])
        data.append(resize_short_side(torch.from_numpy(batch)).half())
    shutil.rmtree(out)
    return torch.cat(data), torch.tensor([c["class"] for c in info["clips"]]), info


def augment(x: torch.Tensor, y: torch.Tensor, generator: torch.Generator):
    """A random horizontal crop, and flips that map each action onto its mirror image's action."""
    n, _, _, nh, nw = x.shape
    out = torch.empty(n, 3, FRAMES, CROP, CROP)
    labels = y.clone()
    cy = int(round((nh - CROP) / 2.0))
    offsets = torch.randint(0, nw - CROP + 1, (n,), generator=generator)
    flips = torch.randint(0, 2, (n, 2), generator=generator)
    for i in range(n):
        c = x[i, :, :, cy:cy + CROP, offsets[i]:offsets[i] + CROP].float()
        if flips[i, 0]:
            c = c.flip(-1)
            labels[i] = HFLIP[labels[i]]
        if flips[i, 1]:
            c = c.flip(-2)
            labels[i] = VFLIP[labels[i]]
        out[i] = c
    return normalize(out), labels


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[int, torch.Tensor]:
    model.eval()
    logits = torch.cat([model(normalize(centre_crop(x[i:i + 20].float()))) for i in range(0, len(x), 20)])
    return int((logits.argmax(1) == y).sum()), logits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models/default")
    parser.add_argument("--engine", help="command that runs the engine CLI (default: dotnet artifacts/bin/Engine.Cli/release/engine.dll)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    engine = engine_command(args.engine)
    started = time.time()

    with tempfile.TemporaryDirectory(prefix="train-action-") as tmp:
        work = pathlib.Path(tmp)
        parts = [synth(engine, s, CLIPS_PER_SEED, work) for s in TRAIN_SEEDS]
        train_x = torch.cat([p[0] for p in parts])
        train_y = torch.cat([p[1] for p in parts])
        labels = parts[0][2]["labels"]
        test_x, test_y, _ = synth(engine, TEST_SEED, TEST_CLIPS, work)
    print(f"data: {len(train_x)} training clips ({len(TRAIN_SEEDS)} timelines), {len(test_x)} held-out clips, "
          f"{time.time() - started:.0f} s", flush=True)

    model = Recognizer3D(len(labels))
    generator = torch.Generator().manual_seed(1)
    steps = args.epochs * (len(train_x) // args.batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=4e-3, total_steps=steps, pct_start=0.15)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        total, correct, loss_sum = 0, 0, 0.0
        for b in range(len(train_x) // args.batch):
            index = order[b * args.batch:(b + 1) * args.batch]
            x, y = augment(train_x[index], train_y[index], generator)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            total += len(y)
            correct += int((logits.argmax(1) == y).sum())
            loss_sum += float(loss) * len(y)
            if step % 50 == 0:
                print(f"  step {step}/{steps}: loss {loss_sum / total:.3f}, train accuracy {correct / total:.3f}, {time.time() - started:.0f} s", flush=True)
        held_out, _ = evaluate(model, test_x, test_y)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss_sum / total:.3f}, train accuracy {correct / total:.3f}, "
              f"held-out {held_out}/{len(test_y)} ({held_out / len(test_y):.3f}), {time.time() - started:.0f} s", flush=True)
        save(args.out, model, labels, held_out, len(test_y), epoch + 1)
    print(f"held-out accuracy {held_out}/{len(test_y)} = {held_out / len(test_y):.3f}; wrote {args.out / CHECKPOINT} "
          f"({os.path.getsize(args.out / CHECKPOINT) / 1e6:.2f} MB) in {(time.time() - started) / 60:.1f} min", flush=True)
    return 0


def config_text() -> str:
    """The model's mmaction2 config in mmengine's Config.pretty_text layout, saved as meta['cfg'] as every
    mmaction2 1.x checkpoint carries it: the converter reads the architecture from it, not from flags."""
    non_local = tuple(tuple(int((s, k) in NON_LOCAL) for k in range(n)) for s, n in enumerate(STAGE_BLOCKS))
    inflate = tuple(tuple(row) for row in INFLATE)
    return "\n".join([
        "model = dict(",
        "    type='Recognizer3D',",
        "    backbone=dict(",
        "        type='ResNet3d',",
        "        depth=50,",
        f"        stage_blocks={tuple(STAGE_BLOCKS)!r},",
        f"        base_channels={STEM_WIDTH},",
        "        conv1_kernel=(3, 7, 7),",
        "        conv1_stride_t=1,",
        "        pool1_stride_t=1,",
        f"        inflate={inflate!r},",
        f"        non_local={non_local!r},",
        "        non_local_cfg=dict(sub_sample=True, use_scale=False, mode='embedded_gaussian')),",
        f"    cls_head=dict(type='I3DHead', num_classes={len(HFLIP)}, in_channels={(STEM_WIDTH << 3) * 4}, spatial_type='avg', average_clips='prob'),",
        f"    data_preprocessor=dict(type='ActionDataPreprocessor', mean={MEAN!r}, std={STD!r}, format_shape='NCTHW'))",
        "val_pipeline = [",
        f"    dict(type='SampleFrames', clip_len={FRAMES}, frame_interval={SAMPLING_RATE}, num_clips=1, test_mode=True),",
        f"    dict(type='Resize', scale=(-1, {SHORT_SIDE})),",
        f"    dict(type='CenterCrop', crop_size={CROP}),",
        "    dict(type='FormatShape', input_format='NCTHW'),",
        "    dict(type='PackActionInputs')",
        "]",
        "",
    ])


def save(out: pathlib.Path, model: nn.Module, labels: list[str], held_out: int, test_clips: int, epochs: int) -> None:
    """An mmaction2-style checkpoint (meta with the config, state_dict) and the labels, one per line, for the converter."""
    meta = {
        "cfg": config_text(),
        "mmaction2_version": "compatible (tools/train/train_action.py)",
        "dataset_meta": {"classes": labels},
        "clip": {"frames": FRAMES, "sampling_rate": SAMPLING_RATE, "short_side": SHORT_SIDE, "crop": CROP},
        "normalization": {"mean": MEAN, "std": STD, "to_rgb": True},
        "data": {"train_seeds": list(TRAIN_SEEDS), "clips_per_seed": CLIPS_PER_SEED, "test_seed": TEST_SEED,
                 "test_clips": TEST_CLIPS, "scene_size": list(SCENE_SIZE), "placement": "random"},
        "held_out_accuracy": f"{held_out}/{test_clips}",
        "epochs": epochs,
        "torch": torch.__version__,
    }
    out.mkdir(parents=True, exist_ok=True)
    torch.save({"meta": meta, "state_dict": model.state_dict()}, out / CHECKPOINT)
    (out / "labels.txt").write_text("".join(f"{label}\n" for label in labels))


if __name__ == "__main__":
    sys.exit(main())
