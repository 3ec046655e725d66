# summary.py MAIN ABLATION...: DWF of each ablation run folder against DWF (and PGD-AT) of the main run folder, on the
# same images: worst case at 8/255 over both plans, paired difference (Wald 95%), exact McNemar p, and Holm's
# adjustment over the ablations given (one family: "does this change move DWF?"). Prints a Markdown table.
import os, sys
from paired import combined, clean, paired

def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i]); adj = [0.0] * len(ps); run = 0.0
    for rank, i in enumerate(order):
        run = max(run, min(1.0, (len(ps) - rank) * ps[i])); adj[i] = run
    return adj

main = sys.argv[1]; runs = sys.argv[2:]
base, h = combined(main, 'dwf'); pgdat, h2 = combined(main, 'control-equal-compute'); assert h == h2
rows = []
for r in runs:
    x, hx = combined(r, 'dwf'); assert hx == h, f"{r}: other images"
    rows.append((os.path.basename(r.rstrip('/')), clean(r, 'dwf'), x, paired(x, base), paired(x, pgdat)))
adj = holm([row[3][4] for row in rows]); n = len(base)
P = lambda p: f"{p:.4f}" if p >= 0.0001 else "< 0.0001"
pct = lambda v: f"{100 * v:.1f} %"
pts = lambda d, lo, hi: f"{100*d:+.1f} ({100*lo:+.1f} to {100*hi:+.1f})".replace('-', '−')
print(f"| ablation | DWF clean | DWF worst case ε=8/255 | vs DWF 1-4-4 ({pct(sum(base)/n)}): points (Wald 95%) | discordant | McNemar p | Holm p | vs PGD-AT ({pct(sum(pgdat)/n)}): points | McNemar p |")
print("|---|---|---|---|---|---|---|---|---|")
for (name, cl, x, (d, (lo, hi), b, c, p), (d2, (lo2, hi2), _, _, p2)), a in zip(rows, adj):
    print(f"| {name} | {pct(cl)} | {pct(sum(x)/n)} | {pts(d, lo, hi)} | {b} / {c} | {P(p)} | {P(a)} | {pts(d2, lo2, hi2)} | {P(p2)} |")
