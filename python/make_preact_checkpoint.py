#!/usr/bin/python3
"""Trains a small PreAct ResNet-18 in PyTorch and saves it as a RobustBench-style checkpoint, for the interop tests.

The checkpoint is what public robust CIFAR-10 models look like: a ``torch.save(state_dict)`` zip whose keys carry a
DataParallel ``module.`` prefix and whose normalization is stored as ``mu``/``sigma`` buffers. The test loads it into
the library's ``Expert.PreActResNet18`` with ``KeyMap.RobustBench`` and compares predictions image by image.

    python3 make_preact_checkpoint.py --data cifar-10-binary.tar.gz --out preact.pt --predictions preds.json

Writes the checkpoint and a JSON file with the predicted class of each of the first ``--test`` test images.
No downloads; Debian's python3-torch is enough.
"""

import argparse
import json
import tarfile

import numpy as np
import torch
import torch.nn.functional as F

from dwf_models import CIFAR10_MEAN, CIFAR10_STD, PreActResNet18

RECORD = 1 + 3 * 32 * 32


def read_batch(archive, member, n):
    with tarfile.open(archive, "r:gz") as tar:
        raw = tar.extractfile(f"cifar-10-batches-bin/{member}").read()
    records = np.frombuffer(raw, dtype=np.uint8)[: n * RECORD].reshape(n, RECORD)
    labels = torch.from_numpy(records[:, 0].astype(np.int64))
    images = torch.from_numpy(records[:, 1:].reshape(n, 3, 32, 32).astype(np.float32) / 255)
    return images, labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--predictions", required=True)
    p.add_argument("--train", type=int, default=2000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--width", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    x, y = read_batch(args.data, "data_batch_1.bin", args.train)
    model = PreActResNet18(10, args.width)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    model.train()
    for _ in range(args.epochs):
        order = torch.randperm(args.train)
        for i in range(0, args.train, 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()

    model.eval()
    state = {"module." + k: v for k, v in model.state_dict().items()}
    state["module.mu"] = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    state["module.sigma"] = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    torch.save(state, args.out)

    tx, ty = read_batch(args.data, "test_batch.bin", args.test)
    with torch.no_grad():
        predictions = torch.cat([model(tx[i:i + 250]).argmax(1) for i in range(0, args.test, 250)])
    correct = int((predictions == ty).sum())
    with open(args.predictions, "w") as f:
        json.dump({"correct": correct, "total": args.test, "predictions": predictions.tolist()}, f)
    print(f"PyTorch PreAct ResNet-18 (width {args.width}): {correct}/{args.test} correct")


if __name__ == "__main__":
    main()
