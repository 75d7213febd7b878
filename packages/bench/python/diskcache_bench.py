"""Python DiskCache on the peer benchmark's workloads.

Run by packages/bench/bench/python-job.mjs as
    python3 diskcache_bench.py '<job as JSON>'
with the same job objects the Node worker takes (workload, dir, keys,
valueSize, ...). Prints one JSON line {"type": "result", "result": ...} on
stdout, with raw per-call samples in microseconds, so that Node computes every
statistic the same way for every contender. Throughput jobs print
{"type": "ready"} once warm and wait for {"startAt", "stopAt"} on stdin.
Keys and values are str, the same strings the Node contenders store.
"""

import json
import os
import sys
import time

import diskcache

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


def prng(seed):
    """The benchmark's xorshift32, so Python sees the same keys and operations as Node."""
    state = [(seed & 0xFFFFFFFF) or 1]

    def next_random():
        x = state[0]
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        state[0] = x & 0xFFFFFFFF
        return state[0] / 4294967296

    return next_random


def make_value(length, seed=1):
    random = prng((seed * 2654435761) & 0xFFFFFFFF)
    return "".join(ALPHABET[int(random() * len(ALPHABET))] for _ in range(length))


def shuffled(n, seed):
    random = prng(seed)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def time_calls(n, op, budget_ms=None, minimum=64):
    """µs per call of op(i) for i in range(n); stops once budget_ms has passed."""
    clock = time.perf_counter_ns
    samples = []
    started = clock()
    budget_ns = None if budget_ms is None else budget_ms * 1e6
    for i in range(n):
        t = clock()
        op(i)
        samples.append((clock() - t) / 1000)
        if budget_ns is not None and i + 1 >= minimum and (i + 1) % 64 == 0 and clock() - started > budget_ns:
            break
    return samples


def fill(cache, keys, from_index, to_index, value, chunk=1000, budget_ms=None):
    """Stores [from_index, to_index) untimed; stops after the chunk that passes budget_ms. Returns the index reached."""
    started = time.perf_counter()
    start = from_index
    while start < to_index:
        end = min(to_index, start + chunk)
        with cache.transact():
            for i in range(start, end):
                cache.set(keys(i), value)
        start = end
        if budget_ms is not None and (time.perf_counter() - started) * 1000 > budget_ms:
            break
    return start


def latency(cache, job):
    n = job["keys"]
    prefix = job.get("prefix", "")
    budget = job.get("budgetMs")
    passes = job.get("readPasses", 3)
    seed = job.get("seed", 1)
    names = [f"{prefix}key-{i}" for i in range(n)]
    missing = [f"{name}-missing" for name in names]
    value = make_value(job["valueSize"], 1)
    for i in range(300):
        cache.set(f"{prefix}warm-{i}", value)
        cache.get(f"{prefix}warm-{i}")
        cache.delete(f"{prefix}warm-{i}")
    bad = {"get-hit": 0, "get-miss": 0}

    def get_hit(i):
        if cache.get(names[order[i % stored]]) is None:
            bad["get-hit"] += 1

    def get_miss(i):
        if cache.get(missing[order[i]]) is not None:
            bad["get-miss"] += 1

    samples = {}
    samples["set"] = time_calls(n, lambda i: cache.set(names[i], value), budget)
    stored = fill(cache, lambda i: names[i], len(samples["set"]), n, value, 100, budget)
    order = shuffled(stored, 1000 + seed)
    delete_order = shuffled(stored, 2000 + seed)
    samples["get-hit"] = time_calls(stored * passes, get_hit, budget)
    samples["get-miss"] = time_calls(stored, get_miss, budget)
    samples["delete"] = time_calls(stored, lambda i: cache.delete(names[delete_order[i]]), budget)
    return {"samples": samples, "bad": bad, "stored": stored}


def growth(cache, job):
    prefix = job.get("prefix", "")
    value = make_value(job["valueSize"], 3)
    cap = job["fillCapSeconds"]
    key = lambda i: f"{prefix}g-{i}"
    result = {"samples": {}, "fillSeconds": {}, "skipped": {}}
    stored = 0
    filling = 0.0
    for size in job["sizes"]:
        if stored < size:
            if stored > 0:
                rate = stored / filling
                projected = (size - stored) / rate
                if filling + projected > cap:
                    result["skipped"][str(size)] = (
                        f"filling to {size:,} entries would take ~{round(filling + projected)} s "
                        f"at {round(rate):,} entries/s, past the {cap} s cap"
                    )
                    break
            started = time.perf_counter()
            while stored < size:
                to = min(size, stored + 1_000)
                fill(cache, key, stored, to, value)
                stored = to
                if filling + time.perf_counter() - started > cap and stored < size:
                    break
            filling += time.perf_counter() - started
            result["fillSeconds"][str(size)] = filling
            if stored < size:
                result["skipped"][str(size)] = f"the fill passed the {cap} s cap at {stored:,} entries"
                break
        random = prng(job.get("seed", 7) + size)
        pick = [int(random() * size) for _ in range(job["samples"])]
        misses = [0]

        def get(i):
            if cache.get(key(pick[i])) is None:
                misses[0] += 1

        time_calls(min(job["samples"], 2000), get)
        result["samples"][str(size)] = [time_calls(job["samples"], get) for _ in range(job["rounds"])]
        if misses[0]:
            raise RuntimeError(f"growth: {misses[0]} misses on stored keys at {size} entries")
    return result


def value_size(cache, job):
    prefix = job.get("prefix", "")
    budget = job.get("budgetMs")
    passes = job.get("readPasses", 3)
    samples = {}
    for index, size in enumerate(job["sizes"]):
        count = job["counts"][index]
        value = make_value(size, 5 + index)
        key = lambda i, size=size: f"{prefix}v{size}-{i}"
        cache.set(key(-1), value)
        cache.get(key(-1))
        minimum = min(count, 20)
        set_samples = time_calls(count, lambda i: cache.set(key(i), value), budget, minimum)
        stored = fill(cache, key, len(set_samples), count, value, 10, budget)
        get_samples = time_calls(stored * passes, lambda i, stored=stored: cache.get(key(i % stored)), budget, minimum)
        samples[str(size)] = {"set": set_samples, "get": get_samples}
    return {"samples": samples}


def throughput(cache, job):
    prefix = job.get("prefix", "")
    n = job["keys"]
    names = [f"{prefix}key-{i}" for i in range(n)]
    value = make_value(job["valueSize"], job["seed"])
    random = prng(job["seed"])
    for i in range(1000):
        cache.get(names[i % n])
    print(json.dumps({"type": "ready"}), flush=True)
    go = json.loads(sys.stdin.readline())
    while time.time() * 1000 < go["startAt"]:
        pass
    stop = go["stopAt"] / 1000
    clock = time.perf_counter
    # The stop instant on the monotonic clock, so the loop reads one clock.
    stop_at = clock() + (stop - time.time())
    latencies = []
    errors = 0
    while True:
        t0 = clock()
        if t0 >= stop_at:
            break
        dice = random()
        key = names[int(random() * n)]
        try:
            if dice < 0.9:
                cache.get(key)
            elif dice < 0.99:
                cache.set(key, value)
            else:
                cache.delete(key)
        except diskcache.Timeout:
            errors += 1
        latencies.append((clock() - t0) * 1e6)
    return {"ops": len(latencies), "errors": errors, "latencies": latencies}


def fill_job(cache, job):
    prefix = job.get("prefix", "")
    filled = fill(cache, lambda i: f"{prefix}key-{i}", 0, job["keys"], make_value(job["valueSize"], 1), 100, job.get("fillBudgetMs"))
    return {"filled": filled}


WORKLOADS = {
    "latency": latency,
    "growth": growth,
    "value-size": value_size,
    "throughput": throughput,
    "fill": fill_job,
}


def main():
    job = json.loads(sys.argv[1])
    os.makedirs(job["dir"], exist_ok=True)
    cache = diskcache.Cache(os.path.join(job["dir"], "python"))
    try:
        result = WORKLOADS[job["workload"]](cache, job)
    finally:
        cache.close()
    print(json.dumps({"type": "result", "result": result}), flush=True)


if __name__ == "__main__":
    main()
