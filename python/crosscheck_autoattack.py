#!/usr/bin/python3
"""Cross-check of Dwf.Robustness's APGD-CE / APGD-T (and AutoAttack's standard version) against the reference code.

Loads an expert or a whole mixture saved by the library (``SavedModel.Save``: weights and manifest, rebuilt by the
mirror in dwf_models.py; or a bare ResNet-18 expert written by ``ModelFile.Save`` with ``--width``), takes the first N
CIFAR-10 test images and runs the reference APGD-CE and APGD-T (Linf or L2) on the clean-correct ones, and with
``--standard`` the whole standard version (APGD-CE, APGD-T, FAB-T, Square) as run_standard_evaluation runs it,
printing clean and robust accuracy (and the logits of the first two images, so the mirror can be checked against the
library's own forward pass). The numbers are meant to be compared with the library's attacks on the same weights and
images.

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

from dwf_models import ModelFileError, ResNet18, load, load_model, read_state_dict  # noqa: E402,F401  (the mirror)

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


def outside(adv, x, eps, norm):
    """The largest distance of an adversarial image from its clean one in the threat model's norm, if above eps."""
    d = (adv - x).flatten(1)
    dist = d.abs().amax(1) if norm == "Linf" else d.norm(dim=1)
    worst = dist.max().item() if dist.numel() else 0.0
    return worst if worst > eps + 1e-5 else None


def run_attack(attack, model, x, y, flags, bs, eps, name, norm="Linf"):
    """Attacks the images whose flag is set, batch by batch (AutoAttack resets the seed in every perturb call, as
    run_standard_evaluation does per batch). Returns the new flags (still correctly classified) and the seconds."""
    flags = flags.clone()
    idx = flags.nonzero().flatten()
    start = time.time()
    for b in range(0, idx.numel(), bs):
        bi = idx[b:b + bs]
        xb, yb = x[bi].clone(), y[bi].clone()
        adv = attack.perturb(xb, yb)
        far = outside(adv, xb, eps, norm)
        if far is not None or adv.min().item() < 0 or adv.max().item() > 1:
            sys.exit(f"{name}: adversarial images leave the threat model ({norm} {far}, range "
                     f"[{adv.min().item()}, {adv.max().item()}])")
        with torch.no_grad():
            still = model(adv).argmax(1) == yb
        flags[bi] = still
    return flags, time.time() - start


def parse_eps(text):
    return float(Fraction(text)) if "/" in text else float(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, type=Path,
                    help="weights written by SavedModel.Save (an expert or a mixture, rebuilt from <model>.manifest.json), "
                         "or a bare ResNet-18 expert written by ModelFile.Save (then give --width)")
    ap.add_argument("--width", type=float, default=1.0, help="ResNet-18 width multiplier of a bare expert (default 1.0)")
    ap.add_argument("--norm", choices=["Linf", "L2"], default="Linf", help="threat model (default Linf)")
    ap.add_argument("--standard", action="store_true",
                    help="also run AutoAttack's standard version (APGD-CE, APGD-T, FAB-T, Square) with run_standard_evaluation")
    ap.add_argument("--standard-only", action="store_true",
                    help="run only AutoAttack's standard version (implies --standard; skips the standalone APGD runs)")
    ap.add_argument("--classes", type=int, default=None, help="classes (default: from linear.weight)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cifar-10-binary.tar.gz")
    ap.add_argument("--n", type=int, default=500, help="N test images (default 500)")
    ap.add_argument("--offset", type=int, default=0, help="index of the first test image (default 0)")
    ap.add_argument("--eps", type=parse_eps, default=None, help="radius, e.g. 8/255 (the Linf default) or 0.5 (the L2 default)")
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

    if args.standard_only:
        args.standard = True
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if not (args.oracle / "autoattack" / "autopgd_base.py").is_file():
        sys.exit(f"No AutoAttack code at '{args.oracle}'; see python/README.md for the export step.")
    sys.path.insert(0, str(args.oracle))
    from autoattack.autopgd_base import APGDAttack, APGDAttack_targeted  # noqa: E402

    if args.eps is None:
        args.eps = 8 / 255 if args.norm == "Linf" else 0.5
    if Path(str(args.model) + ".manifest.json").exists():
        model = load(args.model).eval()
        sd = model.state_dict()
    else:
        model, sd = load_model(args.model, args.width, args.classes)
    with torch.no_grad():
        num_classes = model(torch.zeros(1, 3, 32, 32)).shape[1]
    if not 1 <= args.targets <= num_classes - 1:
        sys.exit(f"--targets must be in [1, {num_classes - 1}] for {num_classes} classes; got {args.targets}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {args.model} ({type(model).__name__}, {len(sd)} entries, {n_params} parameters, {num_classes} classes)")
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, oracle {args.oracle}")

    if args.offset < 0 or args.offset + args.n > 10000:
        sys.exit(f"--offset {args.offset} with --n {args.n} leaves the 10000 test images")
    x, y = load_cifar10_test(args.data, args.offset + args.n)
    x, y = x[args.offset:].contiguous(), y[args.offset:].contiguous()
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
    print(f"attacks: {args.norm} eps {args.eps:.8f}, {args.iters} iterations, {args.restarts} restart(s), seed {args.seed}, "
          f"{args.targets} targets, batch {args.batch_size}")

    common = dict(n_iter=args.iters, norm=args.norm, n_restarts=args.restarts, eps=args.eps, seed=args.seed,
                  eot_iter=1, rho=.75, verbose=False, device=torch.device("cpu"))
    apgd_ce = APGDAttack(model, loss="ce", **common)
    apgd_t = APGDAttack_targeted(model, n_target_classes=args.targets, **common)

    ce_flags = t_flags = both = cascade_flags = None
    ce_s = t_s = cas_s = 0.0
    if not args.standard_only:
        ce_flags, ce_s = run_attack(apgd_ce, model, x, y, clean, args.batch_size, args.eps, "APGD-CE", args.norm)
        r, ra = acc(ce_flags)
        print(f"robust accuracy APGD-CE: {ra:.4f} ({r}/{n}) [{ce_s:.1f} s]")

        t_flags, t_s = run_attack(apgd_t, model, x, y, clean, args.batch_size, args.eps, "APGD-T", args.norm)
        r, ra = acc(t_flags)
        print(f"robust accuracy APGD-T: {ra:.4f} ({r}/{n}) [{t_s:.1f} s]")

        both = ce_flags & t_flags
        r, ra = acc(both)
        print(f"robust accuracy min(APGD-CE, APGD-T) per image (standalone runs): {ra:.4f} ({r}/{n})")

        if not args.skip_cascade:
            cascade_flags, cas_s = run_attack(apgd_t, model, x, y, ce_flags, args.batch_size, args.eps, "cascade APGD-T", args.norm)
            r, ra = acc(cascade_flags)
            print(f"robust accuracy cascade APGD-CE -> APGD-T: {ra:.4f} ({r}/{n}) [{cas_s:.1f} s]")

    standard_flags, std_s = None, 0.0
    if args.standard:
        from autoattack import AutoAttack  # noqa: E402
        adversary = AutoAttack(model, norm=args.norm, eps=args.eps, version="standard", seed=args.seed,
                               device=torch.device("cpu"), verbose=False)
        start = time.time()
        adv = adversary.run_standard_evaluation(x, y, bs=args.batch_size)
        std_s = time.time() - start
        far = outside(adv, x, args.eps, args.norm)
        if far is not None:
            sys.exit(f"standard: adversarial images leave the threat model ({args.norm} {far})")
        standard_flags = clean & (predict(model, adv, args.batch_size) == y)
        r, ra = acc(standard_flags)
        print(f"robust accuracy AutoAttack standard ({', '.join(adversary.attacks_to_run)}): {ra:.4f} ({r}/{n}) [{std_s:.1f} s]")

    if args.json is not None:
        def block(f, seconds):
            return None if f is None else {"correct": int(f.sum()), "accuracy": float(f.sum()) / n,
                                           "seconds": round(seconds, 2), "flags": [int(v) for v in f.tolist()]}
        result = {
            "model": str(args.model), "architecture": type(model).__name__, "width": args.width, "classes": num_classes,
            "n": n, "offset": args.offset, "norm": args.norm,
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
            "standard": block(standard_flags, std_s),
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"json: {args.json}")


if __name__ == "__main__":
    main()
