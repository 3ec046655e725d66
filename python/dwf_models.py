"""PyTorch mirror of Dwf.Robustness's models, for Python users of models trained with the library.

Reads the library's model files - the TorchSharp state-dict format written by ``ModelFile.Save`` and the JSON
manifest that ``SavedModel.Save`` writes beside it (``<weights>.manifest.json``) - and rebuilds the same network in
PyTorch: ``ResNet18`` and ``PreActResNet18`` (Experts/), ``SoftGate`` and ``TopKGate`` (Moe/), ``MixtureOfExperts`` (logit or
probability mixing). Submodule names equal the library's, so state-dict keys match one to one, and the forward passes
give the same logits up to float rounding.

    import dwf_models
    model = dwf_models.load("runs/cpu-small/joint/dwf.bin")   # an expert or a mixture, rebuilt from its manifest
    logits = model(images)                                     # images: float [B,3,32,32] in [0,1]

Plain PyTorch and numpy, no dependency on the library. Files are checked strictly: unknown dtypes, impossible ranks,
truncation, duplicate, missing or unexpected keys and shape mismatches raise ModelFileError naming the file and entry.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

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
    def __init__(self, num_classes=10, width=1.0, mean=CIFAR10_MEAN, std=CIFAR10_STD):
        super().__init__()
        planes = [channels(c, width) for c in (64, 128, 256, 512)]
        self.normalize = InputNormalization(mean, std)
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


class PreActBlock(nn.Module):
    """Mirror of Experts/PreActBlock.cs: BN-ReLU before each conv; the 1x1 projection shortcut (when the shape changes)
    takes the pre-activated input, the identity shortcut the raw input."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False))

    def forward(self, x):
        pre = F.relu(self.bn1(x))
        skip = self.shortcut(pre) if hasattr(self, "shortcut") else x
        h = self.conv1(pre)
        h = self.conv2(F.relu(self.bn2(h)))
        return h + skip


class PreActResNet18(nn.Module):
    """Mirror of Experts/PreActResNet18.cs (names as in the fast-AT / robust-overfitting code: conv1, layer1-4, bn,
    linear), with the normalization inside the model as a non-persistent buffer."""

    def __init__(self, num_classes=10, width=1.0, mean=CIFAR10_MEAN, std=CIFAR10_STD):
        super().__init__()
        planes = [channels(c, width) for c in (64, 128, 256, 512)]
        self.normalize = InputNormalization(mean, std)
        self.conv1 = nn.Conv2d(3, planes[0], 3, stride=1, padding=1, bias=False)
        self.layer1 = nn.Sequential(PreActBlock(planes[0], planes[0], 1), PreActBlock(planes[0], planes[0], 1))
        self.layer2 = nn.Sequential(PreActBlock(planes[0], planes[1], 2), PreActBlock(planes[1], planes[1], 1))
        self.layer3 = nn.Sequential(PreActBlock(planes[1], planes[2], 2), PreActBlock(planes[2], planes[2], 1))
        self.layer4 = nn.Sequential(PreActBlock(planes[2], planes[3], 2), PreActBlock(planes[3], planes[3], 1))
        self.bn = nn.BatchNorm2d(planes[3])
        self.linear = nn.Linear(planes[3], num_classes)

    def forward(self, x):
        h = self.conv1(self.normalize(x))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        h = F.relu(self.bn(h))
        return self.linear(F.adaptive_avg_pool2d(h, 1).flatten(1))


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
# Gates and the mixture: mirrors of Moe/SoftGate.cs, Moe/TopKGate.cs and Moe/MixtureOfExperts.cs.
# ---------------------------------------------------------------------------------------------------------------------

class SoftGate(nn.Module):
    """Normalization, three 3x3 conv-BN-ReLU stages (width, 2w, 4w; strides 1, 2, 2), global average pooling and a
    linear layer to one score per expert; softmax(scores / temperature)."""

    def __init__(self, experts, width=16, temperature=1.0, channels=3, mean=CIFAR10_MEAN, std=CIFAR10_STD):
        super().__init__()
        self.temperature = float(temperature)
        self.normalize = InputNormalization(mean, std)
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(4 * width), nn.ReLU())
        self.scores = nn.Linear(4 * width, experts)

    def raw_scores(self, x):
        h = self.features(self.normalize(x))
        return self.scores(F.adaptive_avg_pool2d(h, 1).flatten(1))

    def forward(self, x):
        return F.softmax(self.raw_scores(x) / self.temperature, dim=1)


class TopKGate(nn.Module):
    """Softmax over the k highest scores of the inner soft gate; every other expert gets exactly 0."""

    def __init__(self, inner, k):
        super().__init__()
        self.inner = inner
        self.k = int(k)

    def forward(self, x):
        scores = self.inner.raw_scores(x) / self.inner.temperature
        values, indices = scores.topk(self.k, dim=1)
        masked = torch.full_like(scores, float("-inf")).scatter(1, indices, values)
        return F.softmax(masked, dim=1)


class MixtureOfExperts(nn.Module):
    """Logits mode: sum_i w_i z_i. Probabilities mode: log sum_i w_i softmax(z_i) (log-probabilities out)."""

    def __init__(self, experts, gate, mode="Logits"):
        super().__init__()
        if mode not in ("Logits", "Probabilities"):
            raise ValueError(f"mode must be Logits or Probabilities; got {mode!r}")
        self.experts = nn.ModuleList(experts)
        self.gate = gate
        self.mode = mode

    def forward(self, x):
        weights = self.gate(x)                                        # [B, E]
        stacked = torch.stack([e(x) for e in self.experts], dim=1)    # [B, E, K]
        if self.mode == "Logits":
            return (weights.unsqueeze(2) * stacked).sum(1)
        return (weights.clamp_min(1e-30).log().unsqueeze(2) + F.log_softmax(stacked, dim=2)).logsumexp(1)


# ---------------------------------------------------------------------------------------------------------------------
# Manifests (Persistence/ModelManifest.cs): rebuild from the JSON beside the weights, then load with strict checks.
# ---------------------------------------------------------------------------------------------------------------------

MANIFEST_SCHEMAS = (1, 2)  # 2 adds weightsSha256; 1 (older files) has none
MAX_MANIFEST_BYTES = 1 << 20


def _require(ok, path, entry, value, expected):
    if not ok:
        raise ModelFileError(f"'{path}': entry '{entry}' is {value!r}; it must be {expected}.")


ARCHITECTURES = {"ResNet18": ResNet18, "PreActResNet18": PreActResNet18}


def _expert(m, path, at):
    _require(m.get("architecture") in ARCHITECTURES, path, f"{at}.architecture", m.get("architecture"), " or ".join(ARCHITECTURES))
    classes, width = m.get("numClasses"), m.get("width")
    _require(isinstance(classes, int) and 2 <= classes <= 100_000, path, f"{at}.numClasses", classes, "2 to 100000")
    _require(isinstance(width, (int, float)) and 0 < width <= 16, path, f"{at}.width", width, "in (0, 16]")
    mean, std = m.get("mean"), m.get("std")
    _require(isinstance(mean, list) and len(mean) == 3, path, f"{at}.mean", mean, "3 numbers")
    _require(isinstance(std, list) and len(std) == 3 and all(s > 0 for s in std), path, f"{at}.std", std, "3 numbers > 0")
    return ARCHITECTURES[m["architecture"]](classes, width, mean, std)


def build(manifest, path="manifest"):
    """A fresh (untrained) model from a manifest dict, after range-checking every value."""
    _require(manifest.get("schemaVersion") in MANIFEST_SCHEMAS, path, "schemaVersion", manifest.get("schemaVersion"), " or ".join(map(str, MANIFEST_SCHEMAS)))
    experts = manifest.get("experts")
    _require(isinstance(experts, list) and 1 <= len(experts) <= 1024, path, "experts", None if experts is None else len(experts), "1 to 1024 experts")
    if manifest.get("kind") == "Expert":
        _require(len(experts) == 1, path, "experts", len(experts), "exactly 1 for an expert")
        return _expert(experts[0], path, "experts[0]")
    _require(manifest.get("kind") == "Mixture", path, "kind", manifest.get("kind"), "Expert or Mixture")
    modules = [_expert(e, path, f"experts[{i}]") for i, e in enumerate(experts)]
    g = manifest.get("gate") or {}
    _require(g.get("experts") == len(experts), path, "gate.experts", g.get("experts"), f"{len(experts)}")
    width, channels = g.get("width"), g.get("channels")
    _require(isinstance(width, int) and 1 <= width <= 4096, path, "gate.width", width, "1 to 4096")
    _require(isinstance(channels, int) and 1 <= channels <= 64, path, "gate.channels", channels, "1 to 64")
    soft = SoftGate(len(experts), width, g.get("temperature", 1.0), channels, g.get("mean"), g.get("std"))
    if g.get("type") == "TopK":
        gate = TopKGate(soft, g.get("k"))
    else:
        _require(g.get("type") == "Soft", path, "gate.type", g.get("type"), "Soft or TopK")
        gate = soft
    return MixtureOfExperts(modules, gate, manifest.get("mode"))


def load_into(model, weights):
    """Loads a library state-dict file into a mirror module, refusing any key, dtype or shape difference (listed)."""
    sd = read_state_dict(weights)
    expected = model.state_dict()
    problems = [f"unexpected '{n}' {list(t.shape)}" for n, t in sd.items() if n not in expected]
    problems += [f"'{n}': file {t.dtype} {list(t.shape)}, mirror {expected[n].dtype} {list(expected[n].shape)}"
                 for n, t in sd.items() if n in expected and (expected[n].shape != t.shape or expected[n].dtype != t.dtype)]
    problems += [f"missing '{k}'" for k in expected if k not in sd]
    if problems:
        raise ModelFileError(f"'{weights}' does not match the model its manifest describes ({len(problems)} differences): " + "; ".join(problems[:20]))
    model.load_state_dict(sd, strict=True)
    model.eval()
    return model


def load(weights):
    """Rebuilds the expert or mixture saved at ``weights`` from ``<weights>.manifest.json`` and loads its weights."""
    manifest_path = Path(str(weights) + ".manifest.json")
    if not manifest_path.exists():
        raise ModelFileError(f"no manifest at '{manifest_path}'; save the model with SavedModel.Save, or build the mirror yourself and call load_into.")
    if manifest_path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ModelFileError(f"'{manifest_path}' is larger than {MAX_MANIFEST_BYTES} bytes; it is not a manifest.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelFileError(f"'{manifest_path}' is not valid JSON: {e}") from e
    expected = manifest.get("weightsSha256") if isinstance(manifest, dict) else None
    if expected is not None:
        import hashlib
        actual = hashlib.sha256(Path(weights).read_bytes()).hexdigest()
        if actual != str(expected).lower():
            raise ModelFileError(f"'{weights}' is not the file its manifest '{manifest_path}' was written with (SHA-256 {actual}, manifest {expected}); nothing was loaded.")
    return load_into(build(manifest, str(manifest_path)), weights)


def main(argv=None):
    """python3 dwf_models.py WEIGHTS IMAGES.npy OUT.npy: logits of a saved model on float32 images [N,3,32,32]."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        sys.exit("usage: dwf_models.py WEIGHTS IMAGES.npy OUT.npy")
    torch.set_num_threads(1)
    model = load(argv[0])
    x = torch.from_numpy(np.load(argv[1]).astype(np.float32))
    with torch.no_grad():
        np.save(argv[2], model(x).numpy())


if __name__ == "__main__":
    main()
