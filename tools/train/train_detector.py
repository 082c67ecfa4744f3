#!/usr/bin/python3
"""Trains the demo detector: a narrow Mask R-CNN R50-FPN with one non-local block, on still scenes of
the built-in synthetic shapes (`engine synth --detection`), and reports held-out recall and mask IoU.

The network is torchvision's MaskRCNN with every module under torchvision's key names
(`backbone.body.*`, `backbone.fpn.*`, `rpn.*`, `roi_heads.*`), ResNet-50's structure (3, 4, 6, 3
bottlenecks, stride on the 3x3) at a quarter of its width, and one non-local block run before the last
res4 bottleneck under mmcv's key names (`backbone.body.layer3.5.nonlocal_block.*`: embedded Gaussian
scaled by 1/sqrt(inner), g and phi convolved then max-pooled 2x2, BN after the output conv). Inference
settings are torchvision's defaults except min_size/max_size (the synthetic frames, 320x240, run
unscaled), so the engine's detector graph reproduces it.

    /usr/bin/python3 tools/train/train_detector.py            # writes models/detector/demo_detector.pth
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

# Threads that wait sleep instead of spinning: the machine this runs on is shared.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torchvision.models.detection import MaskRCNN  # noqa: E402
from torchvision.models.detection.backbone_utils import BackboneWithFPN  # noqa: E402
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead  # noqa: E402
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor  # noqa: E402
from torchvision.models.resnet import Bottleneck  # noqa: E402
from torchvision.ops import box_iou  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The architecture, recorded next to the checkpoint (demo_detector.json) for the converter and the engine.
CONFIG = {
    "stem": 16,
    "planes": [16, 32, 64, 128],  # bottleneck widths; outputs are 4x (ResNet-50 uses 64..512)
    "blocks": [3, 4, 6, 3],
    "fpn_channels": 32,
    "representation": 128,  # box head fc6/fc7 width (1024 in torchvision)
    "mask_channels": 32,  # mask head conv width (256 in torchvision)
    "min_size": 160,
    "max_size": 320,
    "nonlocal": {"stage": "layer3", "block": 5, "inner": 128, "mode": "embedded_gaussian", "use_scale": True, "sub_sample": "max_pool_2x2"},
}


class ConvUnit(nn.Module):
    """mmcv's ConvModule naming (`conv`, then `bn` when normalised) for the non-local block's convs."""

    def __init__(self, cin, cout, norm=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, bias=not norm)
        self.bn = nn.BatchNorm2d(cout) if norm else None

    def forward(self, x):
        x = self.conv(x)
        return self.bn(x) if self.bn is not None else x


class NonLocal2d(nn.Module):
    """Embedded Gaussian non-local block (Wang et al. 2018) as mmcv's NonLocal2d with use_scale=True,
    sub_sample=True: y = x + BN(W_out(softmax(theta(x)^T phi(x) / sqrt(inner)) g(x)))."""

    def __init__(self, channels, inner):
        super().__init__()
        self.inner = inner
        self.g = nn.Sequential(ConvUnit(channels, inner), nn.MaxPool2d(2, 2))
        self.theta = ConvUnit(channels, inner)
        self.phi = nn.Sequential(ConvUnit(channels, inner), nn.MaxPool2d(2, 2))
        self.conv_out = ConvUnit(inner, channels, norm=True)
        nn.init.zeros_(self.conv_out.bn.weight)  # starts as the identity, like mmcv's zeros_init

    def forward(self, x):
        n, _, h, w = x.shape
        theta = self.theta(x).flatten(2).transpose(1, 2)  # (n, hw, inner)
        phi = self.phi(x).flatten(2)  # (n, inner, hw/4)
        g = self.g(x).flatten(2).transpose(1, 2)  # (n, hw/4, inner)
        attention = torch.softmax(theta @ phi / math.sqrt(self.inner), dim=-1)
        y = (attention @ g).transpose(1, 2).reshape(n, self.inner, h, w)
        return x + self.conv_out(y)


class NonLocalBottleneck(Bottleneck):
    """A torchvision bottleneck with the non-local block run on its input: keys stay `layerN.k.conv1...`
    and the block adds `layerN.k.nonlocal_block.*`."""

    def __init__(self, inplanes, planes, inner):
        super().__init__(inplanes, planes)
        self.nonlocal_block = NonLocal2d(inplanes, inner)

    def forward(self, x):
        return super().forward(self.nonlocal_block(x))


class NarrowResNet(nn.Module):
    """ResNet-50's body (torchvision module names, stride on the 3x3) with configurable widths."""

    def __init__(self, cfg):
        super().__init__()
        self.conv1 = nn.Conv2d(3, cfg["stem"], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(cfg["stem"])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = cfg["stem"]
        for s, (planes, blocks) in enumerate(zip(cfg["planes"], cfg["blocks"])):
            stride = 1 if s == 0 else 2
            downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))
            layer = [Bottleneck(inplanes, planes, stride, downsample)]
            for k in range(1, blocks):
                nl = cfg["nonlocal"]
                if f"layer{s + 1}" == nl["stage"] and k == nl["block"]:
                    layer.append(NonLocalBottleneck(planes * 4, planes, nl["inner"]))
                else:
                    layer.append(Bottleneck(planes * 4, planes))
            setattr(self, f"layer{s + 1}", nn.Sequential(*layer))
            inplanes = planes * 4
        for m in self.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)  # each residual branch starts as the identity (Goyal et al.)


def build_model(cfg, num_classes):
    body = NarrowResNet(cfg)
    outs = [p * 4 for p in cfg["planes"]]
    backbone = BackboneWithFPN(body, {f"layer{i + 1}": str(i) for i in range(4)}, outs, cfg["fpn_channels"])
    c, r, m = cfg["fpn_channels"], cfg["representation"], cfg["mask_channels"]
    return MaskRCNN(
        backbone, num_classes=None, min_size=cfg["min_size"], max_size=cfg["max_size"],
        box_head=TwoMLPHead(c * 7 * 7, r), box_predictor=FastRCNNPredictor(r, num_classes),
        mask_head=MaskRCNNHeads(c, [m] * 4, 1), mask_predictor=MaskRCNNPredictor(m, m, num_classes),
        # Training-only sampling sizes, smaller than torchvision's for speed on a CPU; inference uses the defaults.
        rpn_pre_nms_top_n_train=600, rpn_post_nms_top_n_train=300, box_batch_size_per_image=128)


def synthesize(engine, out, images, seed):
    if os.path.exists(os.path.join(out, "detection.json")):
        with open(os.path.join(out, "detection.json")) as f:
            if len(json.load(f)["images"]) == images:
                return
    subprocess.run([*engine, "synth", "--detection", "--out", out, "--images", str(images), "--seed", str(seed), "--size", "320x240"], check=True)


def load_split(folder):
    with open(os.path.join(folder, "detection.json")) as f:
        meta = json.load(f)
    return meta, meta["images"]


def sample(folder, entry, flip=False):
    """The image as a (3, H, W) float 0..1 tensor and torchvision's target dict (labels = shape kind + 1)."""
    rgb = np.load(os.path.join(folder, entry["file"]))
    instances = np.load(os.path.join(folder, entry["instances"]))
    objects = entry["objects"]
    boxes = torch.tensor([o["box"] for o in objects], dtype=torch.float32).reshape(-1, 4)
    masks = torch.from_numpy(np.stack([instances == o["instance"] for o in objects]).astype(np.uint8)) if objects else torch.zeros((0, *instances.shape), dtype=torch.uint8)
    image = torch.from_numpy(rgb).permute(2, 0, 1).float() / 255
    if flip:
        w = image.shape[2]
        image, masks = image.flip(2), masks.flip(2)
        boxes = torch.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], 1)
    labels = torch.tensor([o["class"] + 1 for o in objects], dtype=torch.int64)
    return image, {"boxes": boxes, "labels": labels, "masks": masks}


@torch.no_grad()
def evaluate(model, folder, entries, score_threshold=0.5):
    """Recall at IoU 0.5 (a ground-truth object counts as found when a detection of its class scoring at
    least score_threshold overlaps it by IoU >= 0.5, each detection used once) and the mean mask IoU of
    the found objects (masks thresholded at 0.5)."""
    model.eval()
    found = total = 0
    mask_ious = []
    false_positives = 0
    for entry in entries:
        image, target = sample(folder, entry)
        out = model([image])[0]
        keep = out["scores"] >= score_threshold
        boxes, labels, masks = out["boxes"][keep], out["labels"][keep], out["masks"][keep, 0] >= 0.5
        used = torch.zeros(len(boxes), dtype=torch.bool)
        total += len(target["boxes"])
        if len(boxes) and len(target["boxes"]):
            iou = box_iou(target["boxes"], boxes)
            for t in range(len(target["boxes"])):
                candidates = (iou[t] >= 0.5) & (labels == target["labels"][t]) & ~used
                if candidates.any():
                    d = int(torch.argmax(torch.where(candidates, iou[t], torch.tensor(-1.0))))
                    used[d] = True
                    found += 1
                    gt = target["masks"][t].bool()
                    mask_ious.append(float((masks[d] & gt).sum()) / max(1.0, float((masks[d] | gt).sum())))
        false_positives += int((~used).sum())
    return found / max(1, total), float(np.mean(mask_ious)) if mask_ious else 0.0, found, total, false_positives


def save(model, path, labels, iterations):
    """The state dict (torchvision's and mmcv's key names) and, beside it, the architecture as JSON."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(model.state_dict(), path)
    with open(os.path.splitext(path)[0] + ".json", "w") as f:
        json.dump({"kind": "maskrcnn", "labels": labels, "iterations": iterations, **CONFIG}, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default=os.path.join(ROOT, "engine.sh"), help="The engine CLI (engine.sh builds it when needed).")
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/nonlocal-engine/detect-synth"), help="Where the synthetic scenes go.")
    ap.add_argument("--train-images", type=int, default=1500)
    ap.add_argument("--test-images", type=int, default=200)
    ap.add_argument("--iterations", type=int, default=800)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "detector", "demo_detector.pth"))
    ap.add_argument("--evaluate-only", action="store_true", help="Evaluate the checkpoint at --out on the held-out scenes.")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    engine = [args.engine]
    train_dir, test_dir = os.path.join(args.data, "train"), os.path.join(args.data, "test")
    # Seed 1 trains, seed 2 is held out: the generator's scenes differ by seed.
    synthesize(engine, train_dir, args.train_images, 1)
    synthesize(engine, test_dir, args.test_images, 2)
    meta, train = load_split(train_dir)
    _, test = load_split(test_dir)
    labels = ["__background__", *meta["labels"]]

    model = build_model(CONFIG, len(labels))
    params = sum(p.numel() for p in model.parameters())
    print(f"{params / 1e6:.2f} M parameters", flush=True)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=1e-4)
    # Warm-up, then steps at fixed iterations: the schedule never depends on --iterations, so the
    # checkpoint saved at iteration N of a longer run is exactly what `--iterations N` trains.
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: min(1.0, (i + 1) / 50) * (1.0 if i < 400 else 0.3 if i < 600 else 0.1))
    if args.evaluate_only:
        model.load_state_dict(torch.load(args.out))
    rng = random.Random(args.seed)
    start = time.time()
    model.train()
    for it in range(0 if args.evaluate_only else args.iterations):
        batch = [sample(train_dir, train[rng.randrange(len(train))], flip=rng.random() < 0.5) for _ in range(args.batch)]
        losses = model([b[0] for b in batch], [b[1] for b in batch])
        loss = sum(losses.values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if it % 25 == 0 or it == args.iterations - 1:
            parts = " ".join(f"{k[5:]}={float(v):.3f}" for k, v in losses.items())
            print(f"it {it:5d} loss {float(loss):.3f} ({parts}) {time.time() - start:6.0f}s", flush=True)
        if (it + 1) % 50 == 0 or it == args.iterations - 1:
            save(model, args.out, labels, it + 1)

    recall, mask_iou, found, total, fp = evaluate(model, test_dir, test)
    print(f"held-out ({len(test)} scenes, seed 2): recall@IoU0.5 {recall:.4f} ({found}/{total}), mean mask IoU {mask_iou:.4f}, "
          f"{fp} unmatched detections >= 0.5; {os.path.getsize(args.out) / 1e6:.2f} MB; trained {time.time() - start:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
