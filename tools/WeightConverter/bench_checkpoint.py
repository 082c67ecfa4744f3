#!/usr/bin/env python3
"""Writes the converter benchmark's input: a PySlowFast-style .pyth of an I3D ResNet-101 with five
non-local blocks and 400 classes at full width (about 200 MB), random weights and BN statistics.

    /usr/bin/python3 tools/WeightConverter/bench_checkpoint.py OUT.pyth
    ./engine.sh weight-converter bench OUT.pyth
"""
import collections
import sys

import torch


def main(path):
    torch.manual_seed(0)
    sd = collections.OrderedDict()

    def conv(weight, shape, bn):
        sd[weight] = torch.randn(*shape) * 0.05
        c = shape[0]
        sd[bn + ".weight"] = torch.rand(c) + 0.5
        sd[bn + ".bias"] = torch.randn(c) * 0.1
        sd[bn + ".running_mean"] = torch.randn(c) * 0.1
        sd[bn + ".running_var"] = torch.rand(c) + 0.5

    conv("s1.pathway0_stem.conv.weight", (64, 3, 5, 7, 7), "s1.pathway0_stem.bn")
    cin = 64
    for s, blocks in zip(range(2, 6), (3, 4, 23, 3)):
        inner = 64 << (s - 2)
        cout = inner * 4
        for k in range(blocks):
            kt = 3 if (s == 2 or (s in (3, 4) and k % 2 == 0) or (s == 5 and k % 2 == 1)) else 1
            p = f"s{s}.pathway0_res{k}."
            conv(p + "branch2.a.weight", (inner, cin if k == 0 else cout, kt, 1, 1), p + "branch2.a_bn")
            conv(p + "branch2.b.weight", (inner, inner, 1, 3, 3), p + "branch2.b_bn")
            conv(p + "branch2.c.weight", (cout, inner, 1, 1, 1), p + "branch2.c_bn")
            if k == 0:
                conv(p + "branch1.weight", (cout, cin, 1, 1, 1), p + "branch1_bn")
            if (s, k) in ((3, 1), (3, 3), (4, 1), (4, 3), (4, 5)):
                n = f"s{s}.pathway0_nonlocal{k}."
                for part in ("theta", "phi", "g"):
                    sd[n + f"conv_{part}.weight"] = torch.randn(cout // 2, cout, 1, 1, 1) * 0.05
                    sd[n + f"conv_{part}.bias"] = torch.randn(cout // 2) * 0.05
                conv(n + "conv_out.weight", (cout, cout // 2, 1, 1, 1), n + "bn")
                sd[n + "conv_out.bias"] = torch.randn(cout) * 0.05
        cin = cout
    sd["head.projection.weight"] = torch.randn(400, cin) * 0.05
    sd["head.projection.bias"] = torch.randn(400) * 0.05
    torch.save({"epoch": 1, "model_state": sd, "optimizer_state": {}, "cfg": ""}, path)


if __name__ == "__main__":
    main(sys.argv[1])
