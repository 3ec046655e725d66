# paired.py DIR_A MODEL_A DIR_B MODEL_B: worst case at 8/255 (per-image AND of the paper and aa-rapid reports) of two
# models evaluated on the same images, their difference with a Wald 95% interval, and the exact McNemar p.
# Also a module: summary.py imports combined() and paired().
import json, base64, sys, math

def worst(path, eps=8/255):
    r = json.load(open(path))
    w = [x for x in r['worstCase'] if abs(x['epsilon'] - eps) < 1e-9][0]
    o = w['outcomes']; b = base64.b64decode(o['bits']); n = o['count']
    return [bool(b[i // 8] >> (i % 8) & 1) for i in range(n)], r['dataSha256']

def combined(d, m):
    """Per image: robust under every attack of the paper plan and of aa-rapid at 8/255 (and clean-correct)."""
    a, ha = worst(f'{d}/reports/{m}.json'); b, hb = worst(f'{d}/reports-aa-rapid/{m}.json'); assert ha == hb
    return [x and y for x, y in zip(a, b)], ha

def clean(d, m):
    return json.load(open(f'{d}/reports/{m}.json'))['cleanAccuracy']

def paired(x, y):
    """x, y: per-image outcomes on the same images. Returns (difference, (lo, hi) Wald 95%, b, c, exact McNemar p)."""
    n = len(x); b = sum(1 for p, q in zip(x, y) if p and not q); c = sum(1 for p, q in zip(x, y) if q and not p)
    k = min(b, c); m = b + c
    p = min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2**m) if m else 1.0
    d = (b - c) / n; se = math.sqrt(max(0.0, (b + c) - (b - c) ** 2 / n)) / n
    return d, (d - 1.959964 * se, d + 1.959964 * se), b, c, p  # Wald interval of a paired difference of proportions

if __name__ == '__main__':
    x, hx = combined(sys.argv[1], sys.argv[2]); y, hy = combined(sys.argv[3], sys.argv[4]); assert hx == hy, "different images"
    d, (lo, hi), b, c, p = paired(x, y); n = len(x)
    print(f"{sys.argv[2]}@{sys.argv[1]}: {100*sum(x)/n:.1f}%  vs  {sys.argv[4]}@{sys.argv[3]}: {100*sum(y)/n:.1f}%  n={n}  discordant {b}/{c}  diff {100*d:+.1f} pts (95% CI {100*lo:+.1f} to {100*hi:+.1f})  exact McNemar p={p:.4f}")
