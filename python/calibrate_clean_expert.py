#!/usr/bin/python3
"""Same-recipe PyTorch reference for the library's clean expert (issue #19, calibration).

Trains the PyTorch mirror of the library's CIFAR ResNet-18 (python/crosscheck_autoattack.py: same layers, widths,
normalization inside the model, PyTorch default initialization as libtorch's) on the first K training images of each
class with the library's recipe, and reports clean accuracy on the first N test images. Every choice mirrors the
library's defaults and can be changed by a flag, so that a gap between the two stacks at *equal* recipe can be told
apart from a recipe choice:

  data      first K per class of data_batch_1..5 in file order (ImageDataset.TakePerClass), reshuffled every epoch
  augment   4-pixel zero padding + random 32x32 crop + horizontal flip with p = 1/2, per image
  batches   128, the last one smaller (BatchLoaderOptions.DropLast = false)
  optimizer SGD lr 0.1, momentum 0.9, weight decay 5e-4 on every parameter, no Nesterov (OptimizerOptions)
  schedule  per step: cosine from lr to 0 over all steps, no warm-up (OptimizerOptions.RateAt); or one-cycle as the
            library's LearningRateSchedule.OneCycle (rise from lr/25 over the warm-up along a half cosine, fall to
            lr/(25*1e4)); momentum is not cycled in either
  loss      cross-entropy (label smoothing 0)

Run by hand (CPU, one thread per run keeps the other core free):
  /usr/bin/python3 python/calibrate_clean_expert.py --seed 1 --threads 1
"""
import argparse
import json
import math
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dwf_models import ResNet18  # noqa: E402  (the mirror of Experts/ResNet18.cs)

RECORD = 1 + 3 * 32 * 32


def read_batches(archive, names):
    out = []
    with tarfile.open(archive, "r:gz") as tar:
        for name in names:
            raw = tar.extractfile(f"cifar-10-batches-bin/{name}").read()
            out.append(np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD))
    arr = np.concatenate(out)
    return arr[:, 1:].reshape(-1, 3, 32, 32), arr[:, 0].astype(np.int64)


def take_per_class(x, y, k):
    taken = np.zeros(10, dtype=np.int64)
    keep = []
    for i, label in enumerate(y):
        if taken[label] < k:
            taken[label] += 1
            keep.append(i)
    keep = np.array(keep)
    return x[keep], y[keep]


def crop_flip(images, padding, gen):
    b = images.shape[0]
    padded = F.pad(images, (padding,) * 4)
    oy = torch.randint(0, 2 * padding + 1, (b,), generator=gen)
    ox = torch.randint(0, 2 * padding + 1, (b,), generator=gen)
    out = torch.stack([padded[i, :, oy[i]:oy[i] + 32, ox[i]:ox[i] + 32] for i in range(b)])
    flip = torch.rand(b, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def rate_at(args, step, total, per_epoch):
    warm = round(args.warmup_epochs * per_epoch)
    if args.schedule == "onecycle":
        start = args.lr / 25
        end = start / 1e4
        if step < warm:
            return start + (args.lr - start) * 0.5 * (1 - math.cos(math.pi * step / warm))
        fall = 1.0 if total <= warm + 1 else (step - warm) / (total - warm - 1)
        return end + (args.lr - end) * 0.5 * (1 + math.cos(math.pi * min(1.0, fall)))
    if step < warm:
        return args.lr * (step + 1) / warm
    if args.schedule == "constant" or total <= warm:
        return args.lr
    return args.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / (total - warm)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/cifar10/cifar-10-binary.tar.gz"))
    p.add_argument("--per-class", type=int, default=1000)
    p.add_argument("--test", type=int, default=1000, help="first N test images")
    p.add_argument("--width", type=float, default=0.25)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--no-decay-norm-and-bias", action="store_true")
    p.add_argument("--nesterov", action="store_true")
    p.add_argument("--schedule", choices=["cosine", "constant", "onecycle"], default="cosine")
    p.add_argument("--warmup-epochs", type=float, default=0.0)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed + 1)
    x_all, y_all = read_batches(args.data, [f"data_batch_{i}.bin" for i in range(1, 6)])
    x_train, y_train = take_per_class(x_all, y_all, args.per_class)
    x_test, y_test = read_batches(args.data, ["test_batch.bin"])
    x_train = torch.from_numpy(x_train.astype(np.float32) / 255.0)
    y_train = torch.from_numpy(y_train)
    x_test = torch.from_numpy(x_test[: args.test].astype(np.float32) / 255.0)
    y_test = torch.from_numpy(y_test[: args.test])

    model = ResNet18(10, args.width)
    decay = [q for q in model.parameters() if q.dim() > 1 or not args.no_decay_norm_and_bias]
    flat = [q for q in model.parameters() if q.dim() <= 1 and args.no_decay_norm_and_bias]
    groups = [{"params": decay, "weight_decay": args.weight_decay}] + ([{"params": flat, "weight_decay": 0.0}] if flat else [])
    opt = torch.optim.SGD(groups, lr=args.lr, momentum=args.momentum, nesterov=args.nesterov)
    n = x_train.shape[0]
    per_epoch = math.ceil(n / args.batch_size)
    total = per_epoch * args.epochs
    clock = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n, generator=gen)
        loss_sum = 0.0
        for i in range(per_epoch):
            idx = order[i * args.batch_size:(i + 1) * args.batch_size]
            xb = crop_flip(x_train[idx], 4, gen)
            for g in opt.param_groups:
                g["lr"] = rate_at(args, step, total, per_epoch)
            loss = F.cross_entropy(model(xb), y_train[idx], label_smoothing=args.label_smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * idx.shape[0]
            step += 1
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss_sum / n:.4f}, {time.time() - clock:.0f} s", flush=True)

    model.eval()
    with torch.no_grad():
        correct = int(sum((model(x_test[i:i + 250]).argmax(1) == y_test[i:i + 250]).sum() for i in range(0, x_test.shape[0], 250)))
    acc = correct / x_test.shape[0]
    print(f"clean accuracy on the first {x_test.shape[0]} test images: {acc:.4f} ({correct}/{x_test.shape[0]}); "
          f"seed {args.seed}, {time.time() - clock:.0f} s, torch {torch.__version__}")
    if args.json:
        args.json.write_text(json.dumps({"accuracy": acc, "correct": correct, "n": int(x_test.shape[0]), "seed": args.seed,
                                         "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}, indent=2))


if __name__ == "__main__":
    main()
