"""One reply's assessment: model load time, resident memory, and p50/p99 per reply.

Replies come from the training corpus (data/training), each read with its own customer message and
facts; a 4,000-character reply is timed too. Prints figures; asserts nothing.
    .venv/bin/python benchmarks/assess_reply.py [--replies N]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from bot.assessment.training import load_corpus


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=2000)
    args = parser.parse_args()
    rows = load_corpus()[: args.replies]
    before = rss_mb()
    started = time.perf_counter()
    from bot.assessment.classifier import shipped_model
    from bot.assessment.embedding import embed
    from bot.assessment.marking import assess_reply

    model = shipped_model()
    embed(["warm"])
    load_s = time.perf_counter() - started
    print(f"model load (imports, classifier file, embedding): {load_s:.2f} s; "
          f"peak RSS {before:.0f} MB -> {rss_mb():.0f} MB")
    assert model is not None, "no shipped model: run ./composure train-assessor"
    for row in rows[:50]:
        assess_reply(row.example.reply, row.example.customer, row.example.context)
    times = []
    for row in rows:
        t = time.perf_counter()
        assess_reply(row.example.reply, row.example.customer, row.example.context)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"{len(times)} replies: p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms")
    long_reply = ("I'm really sorry about the delay, I can see how frustrating this has been for you. "
                  "I'll rebook the delivery for Saturday morning and log a complaint. ") * 25
    long_reply = (long_reply * 2)[:4000]

    def medians(replies: list[str]) -> str:
        """Each reply assessed once: the median wall and CPU time."""
        wall, cpu = [], []
        for reply in replies:
            t, c = time.perf_counter(), time.process_time()
            assess_reply(reply, rows[0].example.customer, rows[0].example.context)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        return f"median {statistics.median(wall):.1f} ms ({statistics.median(cpu):.1f} ms of CPU)"

    # a new reply each time, as learners write them
    print(f"a {len(long_reply)}-character reply: "
          + medians([f"{long_reply[:-len(str(i))]}{i}" for i in range(20)]))
    # the reply above repeats two sentences; a long reply of distinct sentences costs more, and its
    # cost should grow with its length, not faster (the text module reads at most MAX_CHARS of it)
    for length in (1000, 2000, 4000, 8000):
        rng = random.Random(4)
        replies = []
        for _ in range(20):
            parts: list[str] = []
            while sum(len(p) + 1 for p in parts) < length:
                parts.append(rng.choice(rows).example.reply)
            replies.append(" ".join(parts)[:length])
        print(f"a {length}-character reply of distinct corpus replies: {medians(replies)}")
    print(f"peak RSS after the run: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
