"""Checks that packed DLLs and PDBs name no path of the machine that built them.

Usage: find ... -name '*.pdb' -o -name '*.dll' | python3 .ci/no-local-paths.py ROOT

A DLL holds its PDB's path in one piece (the CodeView entry); with ContinuousIntegrationBuild it is /_/..., otherwise
ROOT/... . A portable PDB stores each document path as separate, length-prefixed name parts in its blob heap, so the
check there is for ROOT's last folder name as such a part. Expects a DLL and a PDB per target framework (≥ 4 files).
"""
import sys

root = sys.argv[1].rstrip("/")
name = root.split("/")[-1].encode()
needles = [root.encode(), bytes([len(name)]) + name]
files = [line.strip() for line in sys.stdin if line.strip()]
if len(files) < 4:
    sys.exit(f"expected a DLL and a PDB per target framework, found {files}")
bad = []
for path in files:
    data = open(path, "rb").read()
    if any(n in data for n in needles):
        bad.append(f"{path}: names {root}")
    elif path.endswith(".dll") and b"/_/" not in data:
        bad.append(f"{path}: its PDB path is not mapped to /_/")
for line in bad:
    print(line)
print(f"{len(files)} files, {len(bad)} with a local path")
sys.exit(1 if bad else 0)
