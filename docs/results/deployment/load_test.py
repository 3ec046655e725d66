#!/usr/bin/env python3
"""Loopback load test of samples/Serve: N POST /predict requests of one PNG, C at a time; prints errors and latency.

    python3 load_test.py http://127.0.0.1:5123 image.png [n=2000] [concurrency=8]
"""
import concurrent.futures
import sys
import time
import urllib.request

url, image = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 8
body = open(image, "rb").read()


def one(_):
    start = time.perf_counter()
    request = urllib.request.Request(url.rstrip("/") + "/predict", data=body, headers={"Content-Type": "image/png"})
    try:
        with urllib.request.urlopen(request) as response:
            response.read()
            ok = response.status == 200
    except Exception:  # an error response or a refused connection counts as an error
        ok = False
    return (time.perf_counter() - start) * 1000, ok


start = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
    results = list(pool.map(one, range(n)))
total = time.perf_counter() - start
latencies = sorted(r[0] for r in results)
errors = sum(1 for r in results if not r[1])
print(f"{n} requests, {concurrency} concurrent: {errors} errors, {n / total:.0f} requests/s, "
      f"p50 {latencies[n // 2 - 1]:.1f} ms, p99 {latencies[int(n * 0.99) - 1]:.1f} ms, max {latencies[-1]:.1f} ms")
