#!/usr/bin/python3
"""Compares the two sides of the standard cross-check image by image.

Reads the reference side (``crosscheck_autoattack.py --standard[-only] --json REF``) and the library's side (the
schema-2 report written by the benchmark ``crosscheck-standard``) and prints one Markdown table row: clean and robust
counts on both sides, and on how many images the two agree (clean, and robust under the whole standard version).
The library's robust outcome of an image is the AND of its clean outcome and every attack's outcome (the cascade's
per-image result).
"""

import argparse
import base64
import json
import sys


def bits(outcomes):
    count = outcomes["count"]
    raw = base64.b64decode(outcomes["bits"])
    return [bool(raw[i >> 3] & (1 << (i & 7))) for i in range(count)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", nargs="+", required=True,
                    help="JSON of crosscheck_autoattack.py --standard, one per chunk of images")
    ap.add_argument("--ours", nargs="+", required=True,
                    help="schema-2 reports of the benchmark crosscheck-standard, the same chunks in the same order")
    ap.add_argument("--label", default="", help="first column of the row")
    args = ap.parse_args(argv)

    if len(args.reference) != len(args.ours):
        sys.exit(f"{len(args.reference)} reference files but {len(args.ours)} reports: give one of each per chunk")
    ref_clean, ref_robust, our_clean, our_robust = [], [], [], []
    n, ref_seconds, our_seconds, norm, eps, offsets = 0, 0.0, 0.0, None, None, []
    for ref_path, ours_path in zip(args.reference, args.ours):
        ref = json.load(open(ref_path, encoding="utf-8"))
        ours = json.load(open(ours_path, encoding="utf-8"))
        if ref.get("standard") is None:
            sys.exit(f"{ref_path} has no standard block: run crosscheck_autoattack.py with --standard")
        if int(ours["samples"]) != ref["n"]:
            sys.exit(f"{ref_path} has {ref['n']} images, {ours_path} {ours['samples']}")
        if norm is not None and (ref["norm"], ref["eps"]) != (norm, eps):
            sys.exit(f"{ref_path} is {ref['norm']} {ref['eps']}, the first chunk {norm} {eps}")
        norm, eps = ref["norm"], ref["eps"]
        offsets.append((ref.get("offset", 0), ref["n"]))
        n += ref["n"]
        ref_seconds += ref["standard"]["seconds"]
        our_seconds += float(ours["seconds"])
        ref_clean += [bool(v) for v in ref["clean"]["flags"]]
        ref_robust += [bool(v) for v in ref["standard"]["flags"]]
        clean = bits(ours["cleanOutcomes"])
        robust = list(clean)
        for a in ours["attacks"]:
            robust = [r and o for r, o in zip(robust, bits(a["outcomes"]))]
        our_clean += clean
        our_robust += robust
    covered = sorted(offsets)
    for (a, an), (b, _) in zip(covered, covered[1:]):
        if a + an != b:
            sys.exit(f"the chunks do not tile one range: [{a}, {a + an}) is followed by [{b}, …)")

    clean_agree = sum(a == b for a, b in zip(ref_clean, our_clean))
    robust_agree = sum(a == b for a, b in zip(ref_robust, our_robust))
    only_ref = sum(a and not b for a, b in zip(ref_robust, our_robust))
    only_ours = sum(b and not a for a, b in zip(ref_robust, our_robust))
    print("| model | threat model | images | clean: reference / ours (agree) | robust: reference / ours | "
          "robust decided the same | robust only in reference / only in ours | seconds: reference / ours |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {args.label} | {norm} {eps:.4f} | {n} (test images {covered[0][0]}–{covered[0][0] + n - 1}) | {100 * sum(ref_clean) / n:.2f}% / {100 * sum(our_clean) / n:.2f}% "
          f"({clean_agree}/{n}) | {100 * sum(ref_robust) / n:.2f}% ({sum(ref_robust)}) / {100 * sum(our_robust) / n:.2f}% "
          f"({sum(our_robust)}) | {robust_agree}/{n} | {only_ref} / {only_ours} | {ref_seconds:.0f} / {our_seconds:.0f} |")


if __name__ == "__main__":
    main()
