#!/usr/bin/python3
"""Cross-check of Dwf.Robustness's APGD-CE / APGD-T against the reference AutoAttack code (fra31/auto-attack).

Loads a ResNet-18 expert saved by the library's ``ModelFile.Save`` into a PyTorch mirror of the library's
architecture, takes the first N CIFAR-10 test images and runs the reference APGD-CE and APGD-T (Linf) on the
clean-correct ones, printing clean and robust accuracy (and the logits of the first two images, so the mirror can be
checked against the library's own forward pass). The numbers are meant to be compared with the library's attacks on
the same weights and images.

The reference code is run from a local, unmodified export of fra31/auto-attack (default: <repo>/.oracle/auto-attack);
it is not part of this repository. See python/README.md.
"""

import argparse
import json
import math
import sys
import tarfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ORACLE = REPO_ROOT / ".oracle" / "auto-attack"
DEFAULT_DATA = Path("/work/shared/data/cifar10/cifar-10-binary.tar.gz")

# InputNormalization.Cifar10Mean / Cifar10Std (stored as float32 buffers in the library).
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)

# ---------------------------------------------------------------------------------------------------------------------
# TorchSharp state-dict file (ModelFile.Save -> Module.save(BinaryWriter); read back by StateDictFile.ReadHeader).
# No header or magic: LEB128 entry count, then per entry a .NET BinaryWriter string (LEB128 byte length + UTF-8),
# LEB128 dtype (TorchSharp ScalarType code), LEB128 rank, LEB128 dims, then the raw little-endian element data.
# ---------------------------------------------------------------------------------------------------------------------

# TorchSharp ScalarType code -> (numpy dtype, torch dtype). Codes follow c10::ScalarType.
SCALAR_TYPES = {
    0: (np.uint8, torch.uint8),        # Byte
    1: (np.int8, torch.int8),          # Int8
    2: (np.dtype("<i2"), torch.int16),  # Int16
    3: (np.dtype("<i4"), torch.int32),  # Int32
    4: (np.dtype("<i8"), torch.int64),  # Int64
    5: (np.dtype("<f2"), torch.float16),  # Float16
    6: (np.dtype("<f4"), torch.float32),  # Float32
    7: (np.dtype("<f8"), torch.float64),  # Float64
    9: (np.dtype("<c8"), torch.complex64),  # ComplexFloat32
    10: (np.dtype("<c16"), torch.complex128),  # ComplexFloat64
    11: (np.bool_, torch.bool),        # Bool
    15: (None, torch.bfloat16),        # BFloat16 (no numpy type; read as uint16 and reinterpret)
}


class ModelFileError(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes, source: str):
        self.data = data
        self.pos = 0
        self.source = source

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ModelFileError(f"'{self.source}' is truncated at byte {self.pos}.")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def leb128(self) -> int:
        result, shift = 0, 0
        while True:
            if shift > 63:
                raise ModelFileError(f"'{self.source}': an integer longer than 64 bits at byte {self.pos}.")
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelFileError(f"'{self.source}' is truncated: needs {n} bytes at {self.pos}, has {len(self.data) - self.pos}.")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk


def read_state_dict(path: Path) -> "dict[str, torch.Tensor]":
    """Parses a TorchSharp state-dict file into an ordered {name: tensor} dict (file order)."""
    data = Path(path).read_bytes()
    r = _Reader(data, str(path))
    count = r.leb128()
    if count > 1_000_000:
        raise ModelFileError(f"'{path}' is not a TorchSharp state-dict file (entry count {count}).")
    entries = {}
    for _ in range(count):
        name = r.take(r.leb128()).decode("utf-8")
        code = r.leb128()
        if code not in SCALAR_TYPES:
            raise ModelFileError(f"'{path}': entry '{name}' has unknown dtype code {code}.")
        np_dtype, torch_dtype = SCALAR_TYPES[code]
        rank = r.leb128()
        if rank > 16:
            raise ModelFileError(f"'{path}': entry '{name}' has impossible rank {rank}.")
        shape = [r.leb128() for _ in range(rank)]
        elements = math.prod(shape)
        item = torch.empty((), dtype=torch_dtype).element_size()
        raw = r.take(elements * item)
        if np_dtype is None:  # bfloat16
            t = torch.from_numpy(np.frombuffer(raw, dtype="<i2").copy()).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(raw, dtype=np_dtype).copy())
        t = t.reshape(shape)
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ModelFileError(f"'{path}': entry '{name}' holds non-finite values.")
        if name in entries:
            raise ModelFileError(f"'{path}': entry '{name}' appears twice.")
        entries[name] = t
    if r.pos != len(data):
        raise ModelFileError(f"'{path}' has {len(data) - r.pos} bytes after its last entry.")
    return entries


# ---------------------------------------------------------------------------------------------------------------------
# PyTorch mirror of Experts/ResNet18.cs, BasicBlock.cs, InputNormalization.cs (same submodule names -> same keys).
# ---------------------------------------------------------------------------------------------------------------------

class InputNormalization(nn.Module):
    """(x - mean) / std with non-persistent buffers (not in the state dict), as in the library. The library also lays
    the output out channels-last; that changes memory layout only, not values, so it is not mirrored."""

    def __init__(self, mean=CIFAR10_MEAN, std=CIFAR10_STD):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)

    def forward(self, x):
        return (x - self.mean) / self.std


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        # TorchSharp BatchNorm2d defaults = PyTorch defaults: eps 1e-5, momentum 0.1, affine, running stats.
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
        else:
            self.shortcut = nn.Sequential()  # identity

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + self.shortcut(x))


def channels(base, width):
    # C#: Math.Max(1, (long)Math.Round(base * width)); Math.Round and Python's round both round half to even.
    return max(1, int(round(base * width)))


class ResNet18(nn.Module):
    def __init__(self, num_classes=10, width=1.0):
        super().__init__()
        planes = [channels(c, width) for c in (64, 128, 256, 512)]
        self.normalize = InputNormalization()
        self.conv1 = nn.Conv2d(3, planes[0], 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes[0])
        self.layer1 = nn.Sequential(BasicBlock(planes[0], planes[0], 1), BasicBlock(planes[0], planes[0], 1))
        self.layer2 = nn.Sequential(BasicBlock(planes[0], planes[1], 2), BasicBlock(planes[1], planes[1], 1))
        self.layer3 = nn.Sequential(BasicBlock(planes[1], planes[2], 2), BasicBlock(planes[2], planes[2], 1))
        self.layer4 = nn.Sequential(BasicBlock(planes[2], planes[3], 2), BasicBlock(planes[3], planes[3], 1))
        self.linear = nn.Linear(planes[3], num_classes)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(self.normalize(x))))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        h = F.adaptive_avg_pool2d(h, 1).flatten(1)
        return self.linear(h)


def load_model(path, width, num_classes=None):
    """Builds the mirror and loads the file with strict key, shape and dtype matching; exits on any mismatch."""
    sd = read_state_dict(path)
    if num_classes is None:
        if "linear.weight" not in sd:
            sys.exit(f"'{path}' has no 'linear.weight'; is it a ResNet-18 expert file?")
        num_classes = int(sd["linear.weight"].shape[0])
    model = ResNet18(num_classes=num_classes, width=width)
    expected = model.state_dict()
    problems = []
    for name, t in sd.items():
        if name not in expected:
            problems.append(f"unexpected '{name}' {list(t.shape)} {t.dtype}")
        elif expected[name].shape != t.shape or expected[name].dtype != t.dtype:
            problems.append(f"'{name}': file has {t.dtype} {list(t.shape)}, mirror has "
                            f"{expected[name].dtype} {list(expected[name].shape)}")
    problems += [f"missing '{k}'" for k in expected if k not in sd]
    if problems:
        print(f"'{path}' does not match the ResNet-18 mirror (width {width}, {num_classes} classes): "
              f"{len(problems)} differences:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        sys.exit(2)
    model.load_state_dict(sd, strict=True)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, sd


# ---------------------------------------------------------------------------------------------------------------------
# CIFAR-10 binary test batch.
# ---------------------------------------------------------------------------------------------------------------------

def load_cifar10_test(archive, n):
    record = 1 + 3 * 32 * 32
    with tarfile.open(archive, "r:gz") as tar:
        f = tar.extractfile("cifar-10-batches-bin/test_batch.bin")
        if f is None:
            sys.exit(f"'{archive}' has no cifar-10-batches-bin/test_batch.bin")
        raw = f.read()
    if len(raw) != 10000 * record:
        sys.exit(f"test_batch.bin has {len(raw)} bytes, expected {10000 * record}")
    if not 1 <= n <= 10000:
        sys.exit(f"--n must be in [1, 10000]; got {n}")
    arr = np.frombuffer(raw, dtype=np.uint8)[: n * record].reshape(n, record)
    y = torch.from_numpy(arr[:, 0].astype(np.int64))
    x = torch.from_numpy(arr[:, 1:].reshape(n, 3, 32, 32).astype(np.float32)) / 255.0
    return x, y


# ---------------------------------------------------------------------------------------------------------------------
# Attacks (reference code, called the way AutoAttack's run_standard_evaluation calls them).
# ---------------------------------------------------------------------------------------------------------------------

@torch.no_grad()
def predict(model, x, bs):
    return torch.cat([model(x[i:i + bs]).argmax(1) for i in range(0, x.shape[0], bs)])


def run_attack(attack, model, x, y, flags, bs, eps, name):
    """Attacks the images whose flag is set, batch by batch (AutoAttack resets the seed in every perturb call, as
    run_standard_evaluation does per batch). Returns the new flags (still correctly classified) and the seconds."""
    flags = flags.clone()
    idx = flags.nonzero().flatten()
    start = time.time()
    for b in range(0, idx.numel(), bs):
        bi = idx[b:b + bs]
        xb, yb = x[bi].clone(), y[bi].clone()
        adv = attack.perturb(xb, yb)
        linf = (adv - xb).abs().amax().item()
        if linf > eps + 1e-5 or adv.min().item() < 0 or adv.max().item() > 1:
            sys.exit(f"{name}: adversarial images leave the threat model (Linf {linf}, range "
                     f"[{adv.min().item()}, {adv.max().item()}])")
        with torch.no_grad():
            still = model(adv).argmax(1) == yb
        flags[bi] = still
    return flags, time.time() - start


def parse_eps(text):
    return float(Fraction(text)) if "/" in text else float(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, type=Path, help="expert weights written by ModelFile.Save")
    ap.add_argument("--width", type=float, default=1.0, help="ResNet-18 width multiplier of that expert (default 1.0)")
    ap.add_argument("--classes", type=int, default=None, help="classes (default: from linear.weight)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cifar-10-binary.tar.gz")
    ap.add_argument("--n", type=int, default=500, help="first N test images (default 500)")
    ap.add_argument("--eps", type=parse_eps, default=8 / 255, help="Linf radius, e.g. 0.0313725 or 8/255 (default 8/255)")
    ap.add_argument("--iters", type=int, default=100, help="APGD iterations (default 100)")
    ap.add_argument("--targets", type=int, default=9, help="APGD-T target classes (default 9)")
    ap.add_argument("--restarts", type=int, default=1, help="restarts of each attack (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="AutoAttack seed (default 0)")
    ap.add_argument("--batch-size", type=int, default=250, help="images per perturb call (AutoAttack's default 250)")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    ap.add_argument("--oracle", type=Path, default=DEFAULT_ORACLE, help="fra31/auto-attack working tree")
    ap.add_argument("--skip-cascade", action="store_true", help="do not run the APGD-CE -> APGD-T cascade")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON to this path")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if not (args.oracle / "autoattack" / "autopgd_base.py").is_file():
        sys.exit(f"No AutoAttack code at '{args.oracle}'; see python/README.md for the export step.")
    sys.path.insert(0, str(args.oracle))
    from autoattack.autopgd_base import APGDAttack, APGDAttack_targeted  # noqa: E402

    model, sd = load_model(args.model, args.width, args.classes)
    num_classes = model.linear.out_features
    if not 1 <= args.targets <= num_classes - 1:
        sys.exit(f"--targets must be in [1, {num_classes - 1}] for {num_classes} classes; got {args.targets}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {args.model} ({len(sd)} entries, {n_params} parameters, width {args.width}, {num_classes} classes)")
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, oracle {args.oracle}")

    x, y = load_cifar10_test(args.data, args.n)
    with torch.no_grad():
        first = model(x[:2])
    for i in range(first.shape[0]):
        print(f"logits[{i}] (label {int(y[i])}, pred {int(first[i].argmax())}): "
              + " ".join(f"{v:.6f}" for v in first[i].tolist()))

    pred = predict(model, x, args.batch_size)
    clean = pred == y
    n = args.n

    def acc(f):
        return int(f.sum()), float(f.sum()) / n

    c, ca = acc(clean)
    print(f"clean accuracy: {ca:.4f} ({c}/{n})")
    print(f"attacks: Linf eps {args.eps:.8f}, {args.iters} iterations, {args.restarts} restart(s), seed {args.seed}, "
          f"{args.targets} targets, batch {args.batch_size}")

    common = dict(n_iter=args.iters, norm="Linf", n_restarts=args.restarts, eps=args.eps, seed=args.seed,
                  eot_iter=1, rho=.75, verbose=False, device=torch.device("cpu"))
    apgd_ce = APGDAttack(model, loss="ce", **common)
    apgd_t = APGDAttack_targeted(model, n_target_classes=args.targets, **common)

    ce_flags, ce_s = run_attack(apgd_ce, model, x, y, clean, args.batch_size, args.eps, "APGD-CE")
    r, ra = acc(ce_flags)
    print(f"robust accuracy APGD-CE: {ra:.4f} ({r}/{n}) [{ce_s:.1f} s]")

    t_flags, t_s = run_attack(apgd_t, model, x, y, clean, args.batch_size, args.eps, "APGD-T")
    r, ra = acc(t_flags)
    print(f"robust accuracy APGD-T: {ra:.4f} ({r}/{n}) [{t_s:.1f} s]")

    both = ce_flags & t_flags
    r, ra = acc(both)
    print(f"robust accuracy min(APGD-CE, APGD-T) per image (standalone runs): {ra:.4f} ({r}/{n})")

    cascade_flags, cas_s = None, 0.0
    if not args.skip_cascade:
        cascade_flags, cas_s = run_attack(apgd_t, model, x, y, ce_flags, args.batch_size, args.eps, "cascade APGD-T")
        r, ra = acc(cascade_flags)
        print(f"robust accuracy cascade APGD-CE -> APGD-T: {ra:.4f} ({r}/{n}) [{cas_s:.1f} s]")

    if args.json is not None:
        def block(f, seconds):
            return None if f is None else {"correct": int(f.sum()), "accuracy": float(f.sum()) / n,
                                           "seconds": round(seconds, 2), "flags": [int(v) for v in f.tolist()]}
        result = {
            "model": str(args.model), "width": args.width, "classes": num_classes, "n": n,
            "eps": args.eps, "iters": args.iters, "restarts": args.restarts, "targets": args.targets,
            "seed": args.seed, "batch_size": args.batch_size, "threads": args.threads,
            "torch": torch.__version__,
            "logits_first2": [[float(v) for v in row] for row in first.tolist()],
            "labels_first2": [int(v) for v in y[:2].tolist()],
            "clean": block(clean, 0.0),
            "apgd_ce": block(ce_flags, ce_s),
            "apgd_t": block(t_flags, t_s),
            "min_ce_t_standalone": block(both, 0.0),
            "cascade_ce_then_t": block(cascade_flags, cas_s),
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"json: {args.json}")


if __name__ == "__main__":
    main()
