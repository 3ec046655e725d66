#!/usr/bin/env python3
"""PyTorch reference for the Dwf.Robustness benchmarks: the same workloads, shapes and thread count as
Workloads.cs, so the two stacks can be compared on one machine. Prints `RESULT name images_per_second`.

Usage: python3 bench.py <workload> [runs=5] [archive]  |  python3 bench.py phases [runs=9]  |  python3 bench.py joint [runs=5]  |  python3 bench.py moe [pairs=15]  |  python3 bench.py layers     (threads: $DWF_THREADS, default all cores)
Installed by setup.sh from Debian's packages (python3-torch); PyPI is not reachable here.
DWF_PY_ALLOCATOR=tuned applies the same glibc settings as Dwf.Robustness's CpuAllocator.Tune (default: none).
"""
import os, sys, time, statistics, tarfile, gzip, ctypes
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("DWF_THREADS", os.cpu_count())))
if os.environ.get("DWF_PY_ALLOCATOR") == "tuned":
    libc = ctypes.CDLL("libc.so.6")
    M_MXFAST, M_TRIM_THRESHOLD, M_MMAP_MAX = 1, -1, -4
    assert libc.mallopt(M_MMAP_MAX, 0) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1) == 1 and libc.mallopt(M_MXFAST, 0) == 1
B = 128
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


class Normalize(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x):  # channels-last output, as InputNormalization does
        return ((x - self.mean) / self.std).contiguous(memory_format=torch.channels_last)


class BasicBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, classes=10, width=1.0):
        super().__init__()
        p = [max(1, round(c * width)) for c in (64, 128, 256, 512)]
        self.normalize = Normalize()
        self.conv1 = nn.Conv2d(3, p[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(p[0])
        self.layer1 = nn.Sequential(BasicBlock(p[0], p[0], 1), BasicBlock(p[0], p[0], 1))
        self.layer2 = nn.Sequential(BasicBlock(p[0], p[1], 2), BasicBlock(p[1], p[1], 1))
        self.layer3 = nn.Sequential(BasicBlock(p[1], p[2], 2), BasicBlock(p[2], p[2], 1))
        self.layer4 = nn.Sequential(BasicBlock(p[2], p[3], 2), BasicBlock(p[3], p[3], 1))
        self.linear = nn.Linear(p[3], classes)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(self.normalize(x))))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        return self.linear(F.adaptive_avg_pool2d(h, 1).flatten(1))


class SoftGate(nn.Module):
    def __init__(self, experts, width=16):
        super().__init__()
        self.normalize = Normalize()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(3, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
            nn.Conv2d(w, 2 * w, 3, 2, 1, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU(),
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1, bias=False), nn.BatchNorm2d(4 * w), nn.ReLU())
        self.scores = nn.Linear(4 * w, experts)

    def forward(self, x):
        h = F.adaptive_avg_pool2d(self.features(self.normalize(x)), 1).flatten(1)
        return F.softmax(self.scores(h), 1)


class Mixture(nn.Module):
    def __init__(self, experts):
        super().__init__()
        self.experts = nn.ModuleList(experts)
        self.gate = SoftGate(len(experts))

    def forward(self, x):
        w = self.gate(x)
        stacked = torch.stack([e(x) for e in self.experts], 1)
        return (w.unsqueeze(2) * stacked).sum(1)


def pgd(model, x, y, eps=8 / 255, alpha=2 / 255, steps=10, gen=None):
    was = model.training
    model.eval()
    try:
        with torch.enable_grad():
            adv = (x + (torch.rand(x.shape, generator=gen) * 2 - 1) * eps).clamp(0, 1)
            for _ in range(steps):
                adv = adv.detach().requires_grad_(True)
                loss = F.cross_entropy(model(adv), y, reduction="sum")
                g, = torch.autograd.grad(loss, adv)
                adv = torch.min(torch.max(adv.detach() + alpha * g.sign(), x - eps), x + eps).clamp(0, 1)
        return adv.detach()
    finally:
        model.train(was)


def fgsm(model, x, y, eps=8 / 255):
    was = model.training
    model.eval()
    try:
        xi = x.detach().requires_grad_(True)
        g, = torch.autograd.grad(F.cross_entropy(model(xi), y, reduction="sum"), xi)
        return (x + eps * g.sign()).clamp(0, 1).detach()
    finally:
        model.train(was)


def median_seconds(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def inputs():
    g = torch.Generator().manual_seed(1)
    return torch.rand(B, 3, 32, 32, generator=g), torch.randint(0, 10, (B,), generator=g)


def experts(n, width):
    torch.manual_seed(0)
    return [ResNet18(10, width) for _ in range(n)]


def mixture9():
    """The 9-expert mixture at width 0.25 that every mixture workload uses, channels-last like its inputs."""
    return Mixture(experts(9, 0.25)).to(memory_format=torch.channels_last)


def train_step(width, runs):
    x, y = inputs()
    torch.manual_seed(0)
    m = ResNet18(10, width).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), 0.1, 0.9, weight_decay=5e-4)
    m.train()

    def step():
        opt.zero_grad()
        F.cross_entropy(m(x), y).backward()
        opt.step()
    return B / median_seconds(step, 2, runs)


def pgd_iteration(width, runs):
    x, y = inputs()
    torch.manual_seed(0)
    m = ResNet18(10, width).to(memory_format=torch.channels_last)
    g = torch.Generator().manual_seed(2)
    return B * 10 / median_seconds(lambda: pgd(m, x, y, steps=10, gen=g), 1, runs)


def mixture_step(moe, x, y):
    moe.zero_grad()
    F.cross_entropy(moe(x), y).backward()


def experts_step(es, x, y):
    for e in es:
        e.zero_grad()
        F.cross_entropy(e(x), y).backward()


def moe_fwdbwd(runs):
    x, y = inputs()
    moe = mixture9()
    moe.train()
    return B / median_seconds(lambda: mixture_step(moe, x, y), 2, runs)


def experts9_fwdbwd(runs):
    x, y = inputs()
    es = [e.to(memory_format=torch.channels_last).train() for e in experts(9, 0.25)]
    return B / median_seconds(lambda: experts_step(es, x, y), 2, runs)


def joint_batch_step():
    """A joint-training batch (43 benign, 43 FGSM, 42 PGD-10, one SGD step); the step returns each part's seconds."""
    x, y = inputs()
    moe = mixture9()
    gate_opt = torch.optim.SGD(moe.gate.parameters(), 0.1, 0.9)
    exp_opt = torch.optim.SGD(moe.experts.parameters(), 0.01, 0.9)
    g = torch.Generator().manual_seed(3)
    moe.train()

    def step():
        t0 = time.perf_counter()
        adv_f = fgsm(moe, x[43:86], y[43:86])
        t1 = time.perf_counter()
        adv_p = pgd(moe, x[86:], y[86:], steps=10, gen=g)
        t2 = time.perf_counter()
        batch = torch.cat([x[:43], adv_f, adv_p])
        gate_opt.zero_grad()
        exp_opt.zero_grad()
        F.cross_entropy(moe(batch), y).backward()
        gate_opt.step()
        exp_opt.step()
        return t1 - t0, t2 - t1, time.perf_counter() - t2
    return step


def joint_batch(runs):
    return B / median_seconds(joint_batch_step(), 1, runs)


def eval_pgd20(runs):
    x, y = inputs()
    moe = mixture9().eval()
    g = torch.Generator().manual_seed(4)
    return B / median_seconds(lambda: pgd(moe, x, y, steps=20, gen=g), 1, runs)


def load_cifar10(path, runs):
    def load():
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
        parts = {}
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                base = os.path.basename(member.name)
                if base in names:
                    raw = np.frombuffer(tar.extractfile(member).read(), dtype=np.uint8).reshape(-1, 3073)
                    parts[base] = (torch.from_numpy(raw[:, 1:].copy()).view(-1, 3, 32, 32), torch.from_numpy(raw[:, 0].astype(np.int64)))
        train = torch.cat([parts[n][0] for n in names[:5]]), torch.cat([parts[n][1] for n in names[:5]])
        test = parts[names[5]]
        return train, test
    return 60000 / median_seconds(load, 1, runs)


def phases(runs):
    """Forward and backward timed apart, as `Dwf.Robustness.Benchmarks phases` does (medians after two warm-ups)."""
    x, y = inputs()
    moe = mixture9()
    moe.train()
    cases = [
        ("mixture", lambda: F.cross_entropy(moe(x), y)),
        ("experts together", lambda: sum(F.cross_entropy(e(x), y) for e in moe.experts)),
        ("one expert", lambda: F.cross_entropy(moe.experts[0](x), y)),
        ("gate", lambda: moe.gate(x).log().mean()),
    ]
    x42 = x[86:].detach().requires_grad_(True)
    y42 = y[86:]
    cases.append(("mixture, input gradient (eval, 42 images)", lambda: F.cross_entropy(moe(x42), y42, reduction="sum"),
                  lambda value: torch.autograd.grad(value, [x42])))
    for name, loss, *differentiate in cases:
        if name.startswith("mixture, input gradient"):
            moe.eval()
        forward, backward = [], []
        for i in range(-2, runs):
            moe.zero_grad()
            t = time.perf_counter()
            value = loss()
            f = time.perf_counter() - t
            t = time.perf_counter()
            (differentiate[0] if differentiate else torch.Tensor.backward)(value)
            b = time.perf_counter() - t
            if i >= 0:
                forward.append(f)
                backward.append(b)
        print(f"RESULT phases {name}: forward {statistics.median(forward) * 1000:.1f} ms, backward {statistics.median(backward) * 1000:.1f} ms")


def joint_parts(runs):
    """The joint batch's time by part, as `Dwf.Robustness.Benchmarks joint` does (medians after one warm-up batch)."""
    step = joint_batch_step()
    step()
    parts = [step() for _ in range(runs)]
    medians = [statistics.median(p[i] for p in parts) for i in range(3)]
    print(f"joint batch parts (median s): fgsm {medians[0]:.3f}, pgd {medians[1]:.3f}, train {medians[2]:.3f}; sum {sum(medians):.3f}")


def mixture_overhead(pairs):
    """Mixture step vs the nine experts' steps alternated in one process, as `Dwf.Robustness.Benchmarks moe` does."""
    x, y = inputs()
    moe = mixture9()
    moe.train()
    ratios = []
    for i in range(-1, pairs):
        t = time.perf_counter()
        mixture_step(moe, x, y)
        m = time.perf_counter() - t
        t = time.perf_counter()
        experts_step(moe.experts, x, y)
        if i >= 0:
            ratios.append(m / (time.perf_counter() - t))
    ratios.sort()
    print(f"9-expert mixture, {pairs} alternations: mixture/experts time ratio median {ratios[pairs // 2]:.3f} "
          f"(quartiles {ratios[pairs // 4]:.3f}-{ratios[3 * pairs // 4]:.3f})")


def layers():
    """Single layers as PGD uses them, as `Dwf.Robustness.Benchmarks layers` does (ms per call, median of 7 x 20 calls)."""
    for c, hw in [(16, 32), (32, 16), (64, 8)]:
        bn = nn.BatchNorm2d(c).eval()
        conv = nn.Conv2d(c, c, 3, padding=1, bias=False).eval()
        x = torch.rand(42, c, hw, hw).contiguous(memory_format=torch.channels_last).requires_grad_()

        def per_call(layer):
            return 1000 / 20 * median_seconds(lambda: [torch.autograd.grad(layer().sum(), [x]) for _ in range(20)], 2, 7)
        norm_relu = per_call(lambda: F.relu(bn(x)))
        conv_as_created = per_call(lambda: conv(x))
        conv = conv.to(memory_format=torch.channels_last)
        conv_channels_last = per_call(lambda: conv(x))
        print(f"RESULT layers {c}ch {hw}x{hw}: batchnorm+relu {norm_relu:.3f} ms, conv {conv_as_created:.3f} ms, "
              f"conv with channels-last weight {conv_channels_last:.3f} ms")


WORKLOADS = {
    "train-w1": lambda r, d: train_step(1.0, r),
    "train-w0.25": lambda r, d: train_step(0.25, r),
    "pgd-iter-w1": lambda r, d: pgd_iteration(1.0, r),
    "pgd-iter-w0.25": lambda r, d: pgd_iteration(0.25, r),
    "moe-fwdbwd-w0.25": lambda r, d: moe_fwdbwd(r),
    "experts9-fwdbwd-w0.25": lambda r, d: experts9_fwdbwd(r),
    "joint-batch-w0.25": lambda r, d: joint_batch(r),
    "eval-pgd20-w0.25": lambda r, d: eval_pgd20(r),
    "load-cifar10": lambda r, d: load_cifar10(d, r),
}

if __name__ == "__main__":
    name = sys.argv[1]
    if name == "layers":
        layers()
        sys.exit(0)
    probes = {"phases": (phases, 9), "joint": (joint_parts, 5), "moe": (mixture_overhead, 15)}
    if name in probes:
        probe, default_runs = probes[name]
        probe(int(sys.argv[2]) if len(sys.argv) > 2 else default_runs)
        sys.exit(0)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    data = sys.argv[3] if len(sys.argv) > 3 else "../shared/data/cifar10/cifar-10-binary.tar.gz"
    print(f"RESULT {name} {WORKLOADS[name](runs, data):.2f}")
