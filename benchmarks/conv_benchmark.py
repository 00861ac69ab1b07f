"""How fast is dlbook.conv's im2col convolution next to PyTorch's F.conv2d, on the CPU?

    .venv/bin/python benchmarks/conv_benchmark.py [--repeat 5] [--threads N]

A script, not a test (design §8: no timed assertions). For a few layer shapes it times the
forward pass of dlbook.conv.conv_forward on NumPy arrays and on torch tensors, and F.conv2d on
the same data in its native channels-first layout, in float32, and prints the best of
`--repeat` runs and the ratio to F.conv2d. It also checks that the outputs agree.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from dlbook.conv import conv_forward

SHAPES = [  # (label, m, n, n_C_prev, f, n_C, s, p)
    ("CIFAR-like 3x3 layer", 32, 32, 16, 3, 32, 1, 1),
    ("first layer, 5x5, 3 channels", 64, 32, 3, 5, 6, 1, 0),
    ("deeper 3x3 layer", 16, 16, 64, 3, 64, 1, 1),
    ("strided 3x3", 32, 32, 32, 3, 64, 2, 1),
]


def best_of(fn, repeat):
    fn()                                          # warm up (allocations, thread pools)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, numpy {np.__version__}, {torch.get_num_threads()} torch threads, float32")
    print(f"{'layer':32s} {'input (m,n,n,C)':>18s} {'F.conv2d':>10s} {'dlbook np':>10s} {'dlbook torch':>13s}"
          f" {'np/F':>7s} {'torch/F':>8s}")
    rng = np.random.default_rng(0)
    ratios = []
    for label, m, n, c_in, f, c_out, s, p in SHAPES:
        A = rng.normal(size=(m, n, n, c_in)).astype(np.float32)
        W = rng.normal(size=(f, f, c_in, c_out)).astype(np.float32)
        b = rng.normal(size=(1, 1, 1, c_out)).astype(np.float32)
        hp = {"stride": s, "pad": p}
        At, Wt, bt = (torch.from_numpy(x) for x in (A, W, b))
        A_cf = At.permute(0, 3, 1, 2).contiguous()          # F.conv2d's own layout, outside the timing
        W_cf = Wt.permute(3, 2, 0, 1).contiguous()
        b_cf = bt.reshape(-1)

        ref = F.conv2d(A_cf, W_cf, b_cf, stride=s, padding=p).permute(0, 2, 3, 1).numpy()
        got = conv_forward(A, W, b, hp)[0]
        scale = float(np.abs(ref).max())
        assert np.abs(got - ref).max() <= 1e-5 * scale, "dlbook.conv disagrees with F.conv2d"

        t_ref = best_of(lambda: F.conv2d(A_cf, W_cf, b_cf, stride=s, padding=p), args.repeat)
        t_np = best_of(lambda: conv_forward(A, W, b, hp), args.repeat)
        t_torch = best_of(lambda: conv_forward(At, Wt, bt, hp), args.repeat)
        ratios.append((t_np / t_ref, t_torch / t_ref))
        print(f"{label:32s} {str((m, n, n, c_in)):>18s} {t_ref * 1e3:8.2f}ms {t_np * 1e3:8.2f}ms "
              f"{t_torch * 1e3:11.2f}ms {t_np / t_ref:6.1f}x {t_torch / t_ref:7.1f}x")
    gm = np.exp(np.log(np.array(ratios)).mean(axis=0))
    print(f"geometric mean: dlbook on NumPy {gm[0]:.1f}x, dlbook on torch {gm[1]:.1f}x the time of F.conv2d")


if __name__ == "__main__":
    main()
