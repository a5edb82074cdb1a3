"""Benchmark of the embedded search engine: indexing rate, index size and query latency.

    .venv/bin/python bench/search.py [--documents 100000] [--queries 300]
    .venv/bin/python bench/search.py --documents 1000000      # the capacity plan's figure

Builds an index of that many generated documents once, in a temporary folder (generated a batch
at a time, so a million documents need no more memory than a hundred thousand), and prints
docs/s for indexing, the index's size on disk, and p50/p95/p99 latency (ms) for four query
shapes, each through the whole ``SearchEngine.search`` path (worker thread, viewer filter,
highlights of a 20-hit page), and for the results page's own search (grouped, with its facets)
of one generated word (matching about 40 % of documents: the vocabulary is about 100 words, the
worst case) and of a person's name and surname (about 1 in 1,300 documents). ``--docs`` is the same option.
``--index DIR`` keeps the index in DIR instead: the first run builds it there, and later runs with
the same DIR and ``--documents`` reuse it and only query (a million documents take minutes to index),
unless the index's layout has changed since.
CPU time is printed beside wall-clock time, with the load average, because on a shared machine
waiting for a core can dominate the wall-clock figures.
Targets on the 2-core reference machine: indexing >= 5,000 docs/s, p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.embedded import EmbeddedEngine  # noqa: E402
from community.search_pages.find import FACETS  # noqa: E402
from search.definitions import PHYSICAL  # noqa: E402
from search.engine import INDEX_FACET, SearchResult  # noqa: E402
from search.filters import ADMINS, MEMBERS, PUBLIC, both, org_audience, visibility, where  # noqa: E402

WORDS = ("budget planning procurement railway safety district administration training workshop policy "
         "governance panchayat irrigation drought flood relief monsoon health vaccination school education "
         "taxation revenue audit accounts pension recruitment vacancy transfer posting grievance redressal "
         "digital services portal citizen welfare agriculture fisheries forest wildlife mining energy solar "
         "transport highways ports urban housing sanitation water supply electricity cooperative banking "
         "insurance statistics survey census election disaster management cyber security infrastructure "
         "tender contract monitoring evaluation scheme implementation guidelines circular notification "
         "committee meeting minutes report review leadership ethics communication negotiation").split()
HINDI = "प्रशिक्षण बजट योजना शिक्षा स्वास्थ्य सिंचाई पंचायत प्रशासन नीति भर्ती विकास सुरक्षा".split()
NAMES = "Aarav Meera Kavita Rohan Anil Sunita Priya Vikram Lakshmi Arjun Farah Joseph Gurpreet Nandini".split()
SURNAMES = "Sharma Iyer Rao Singh Das Menon Khan Patel Reddy Banerjee Kaur Nair Joshi Mishra".split()
ORGS = [f"org{i:03}" for i in range(300)]
COMPETENCIES = [f"FRAC-{i:03}" for i in range(400)]
PAGE_FACETS = [f for f in FACETS if f in (*PHYSICAL.facets, INDEX_FACET)]
"""What the results page asks for searching everything (``community.search_pages.find``)."""
BATCH = 20_000
"""Documents per indexing call, as a bulk load (reindex) sends them."""
KINDS = [("threads_posts", "thread", 0.25), ("threads_posts", "post", 0.5), ("people", "person", 0.15),
         ("events", "event", 0.05), ("vacancies", "vacancy", 0.05)]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(HINDI) if rng.random() < 0.1 else rng.choice(WORDS) for _ in range(n)).capitalize()


def document(rng: random.Random, i: int) -> tuple[str, dict[str, Any]]:
    index, kind, _ = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
    org = rng.choice(ORGS)
    private = rng.random() < 0.2
    access = [org_audience(org), ADMINS] if private else [PUBLIC]
    date = 1_700_000_000 + rng.randrange(90_000_000)
    month = time.strftime("%Y-%m", time.gmtime(date))
    base: dict[str, Any] = {"id": str(i), "kind": kind, "org_id": org, "date": date, "month": month,
                            "competencies": rng.sample(COMPETENCIES, rng.randint(0, 3)), "access": access,
                            "hidden": rng.random() < 0.02}
    if kind == "person":
        base.update(name=f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}", designation=sentence(rng, 3),
                    bio=sentence(rng, rng.randint(10, 40)), expertise=[rng.choice(WORDS) for _ in range(3)],
                    access=[MEMBERS], person_id=str(i))
    elif kind == "post":
        base.update(body=sentence(rng, rng.randint(20, 120)), thread_id=str(rng.randrange(i + 1)),
                    author_name=rng.choice(NAMES), votes=rng.randrange(50))
    else:
        base.update(title=sentence(rng, rng.randint(4, 10)), body=sentence(rng, rng.randint(30, 150)))
    return index, base


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def timed(queries: int, call: Callable[[int], Awaitable[SearchResult]]
                ) -> tuple[list[float], list[float], float, float]:
    """Wall-clock and process CPU milliseconds per query, the average number of matches (results,
    when grouped; at least that many when not exact), and the share of exact totals."""
    wall, cpu, hits, exact = [], [], 0, 0
    for n in range(queries):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = await call(n)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        hits += result.total
        exact += result.exact
    return wall, cpu, hits / queries, exact / queries


async def main(docs: int, queries: int, kept: Path | None) -> None:
    rng = random.Random(2020_09_02)
    with contextlib.ExitStack() as stack:
        folder = kept if kept is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        built, layout = folder / f"built-{docs}", folder / "search" / "layout"
        if kept is not None and built.exists() and layout.exists() and built.read_text() == layout.read_text():
            print(f"reusing the index of {docs:,} documents in {folder}; load average {os.getloadavg()[0]:.1f}")
        else:
            for stale in folder.glob("built-*"):
                stale.unlink()
            await build(folder, docs, rng)
            built.write_text(layout.read_text())
        await query(folder, queries, random.Random(2026_12_04))


async def build(folder: Path, docs: int, rng: random.Random) -> None:
    shutil.rmtree(folder / "search", ignore_errors=True)
    engine = EmbeddedEngine(folder / "search")
    await engine.ensure_indexes()
    before_load = f"{os.getloadavg()[0]:.1f}"
    start, start_cpu = time.perf_counter(), time.process_time()
    for begin in range(0, docs, BATCH):
        batch: dict[str, list[dict[str, Any]]] = {}
        for index, doc in (document(rng, i) for i in range(begin, min(docs, begin + BATCH))):
            batch.setdefault(index, []).append(doc)
        for index, items in batch.items():
            await engine.upsert(index, items)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"load average before: {before_load}; after indexing: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print(f"indexed {docs:,} documents in {elapsed:.1f} s: {docs / elapsed:,.0f} docs/s "
          f"(CPU {cpu:.1f} s: {docs / cpu:,.0f} docs per CPU-second)")
    await engine.close()
    size = sum(file.stat().st_size for file in (folder / "search").rglob("*") if file.is_file())
    print(f"index size on disk: {size / 2**20:,.0f} MiB ({size / docs:,.0f} bytes a document)")


async def query(folder: Path, queries: int, rng: random.Random) -> None:
    engine = EmbeddedEngine(folder / "search")
    await engine.ensure_indexes()
    # reopened after background segment merges have finished, so none runs during the queries
    viewer = visibility([PUBLIC, MEMBERS, org_audience("org007")], org_audience("org007"))
    long_words = [w for w in WORDS if len(w) >= 6]
    shapes: dict[str, Callable[[int], Awaitable[SearchResult]]] = {
        "one word": lambda n: engine.search("all", rng.choice(WORDS) + " ", viewer),
        "two words, one typo": lambda n: engine.search(
            "all", f"{rng.choice(WORDS)} {typo(rng, rng.choice(long_words))} ", viewer),
        "prefix": lambda n: engine.search("all", rng.choice(WORDS)[:4], viewer),
        "filtered + faceted": lambda n: engine.search(
            "threads_posts", rng.choice(WORDS), both(viewer, where(kind="post", org_id=rng.sample(ORGS, 20))),
            facets=["kind", "org_id", "competencies", "month"]),
        "results page, one word": lambda n: engine.search(
            "all", rng.choice(WORDS) + " ", viewer, facets=PAGE_FACETS, grouped=True),
        "results page, a name": lambda n: engine.search(
            "all", f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}", viewer, facets=PAGE_FACETS, grouped=True),
    }
    for warm in shapes.values():
        await warm(0)
    print(f"{'query':<24}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'cpu p50':>9}{'cpu p95':>9}{'avg hits':>11}"
          f"{'exact':>7}")
    for name, call in shapes.items():
        wall, cpu_ms, average, exact = await timed(queries, call)
        print(f"{name:<24}{statistics.median(wall):>9.2f}{percentile(wall, 95):>9.2f}"
              f"{percentile(wall, 99):>9.2f}{statistics.median(cpu_ms):>9.2f}{percentile(cpu_ms, 95):>9.2f}"
              f"{average:>11,.0f}{exact:>7.0%}")
    print(f"load average after queries: {os.getloadavg()[0]:.1f}")
    await engine.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", "--docs", dest="docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--index", type=Path, default=None, help="a folder to build the index in once and reuse")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.docs, arguments.queries, arguments.index))
