"""Benchmark: this server's write paths beside NodeBB's, interleaved in one run (issue 22).

    bash bench/peer_nodebb.sh GIT_DIR                    # NodeBB set up, seeded, started
    .venv/bin/python bench/peer.py $(cat /work/peer/nodebb.args)
    .venv/bin/python bench/peer.py $(cat /work/peer/nodebb.args) --only votes,profiles --rounds 3

This server is seeded and started exactly as ``bench/forums.py`` does (its ``seed`` and
``start_server``: a fresh embedded store, ``run.py`` as a separate process, the posting limits
lifted), with the thread and reply counts NodeBB was seeded with (``bench/peer_nodebb.sh``
seeds NodeBB with the same ones and lifts its limits likewise). Then, for each write path and
each round, wrk runs it against this server and then against NodeBB, with the same Lua driver
(``forums.lua``: each body made unique), the same connections and duration, from one wrk
thread (two would send the same sequence at once, and NodeBB refuses a member's second post
while the first is in progress, "already-posting"). The requests come in rounds in which every
member sends one, so a member seldom has two in flight. The write paths and NodeBB's
equivalents (API v3, with bearer tokens of the members themselves):

- ``replies-1``, ``replies-50``: ``POST /api/v3/topics/<tid>`` (one member in 50 topics; 50
  members over 50 topics, every member in every topic, shuffled);
- ``threads``: ``POST /api/v3/topics`` by 50 members over the categories they may post in;
- ``votes``: ``PUT /api/v3/posts/<pid>/vote`` (``delta`` 1) by 50 members on others' posts, each
  followed by its withdrawal (``DELETE``, on both sides: bench/forums.py's votes repeat once the
  2,000 pairs are used up, and a repeated upvote is a no-op here while NodeBB writes it again);
- ``profiles``: ``PUT /api/v3/users/<uid>`` (full name and "about me"; NodeBB has no designation);
- ``accepts`` (NodeBB has accepted answers only through a Q&A plugin, and the one on npm,
  nodebb-plugin-question-and-answer 0.8.10, declares NodeBB ^1.16.2) and ``endorsements`` (none
  in NodeBB): this server alone. Their second round repeats the first's requests, so repeated
  endorsements are refused (non-2xx): the summary counts the 2xx answers only.

Each line gives req/s, the 2xx answers a second (``ok/s``, the summary's rate), p50 and p99,
non-2xx, writes stored (replies and threads, counted in each store), the CPU per request of
the server's processes (NodeBB: node and redis-server) during
the run and including the catch-up (this server: until its outboxes are empty, as in
bench/forums.py; NodeBB: until its processes are idle, under 5% of a core for half a second),
and the 1-minute load average before the run. The summary gives each path's mean rate and CPU
per request on both sides and their ratios. On a shared machine the CPU per request is the
steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import forums  # bench/forums.py, beside this file

NODEBB_CASES = ("replies-1", "replies-50", "threads", "votes", "profiles")
OURS_ONLY = ("accepts", "endorsements")
CASES = NODEBB_CASES + OURS_ONLY
NODEBB_STORED = {"replies-1": "posts:pid", "replies-50": "posts:pid", "threads": "topics:tid"}
"""The sorted set that grows by one member per write of a case, in NodeBB's Redis."""
Items = list[tuple[str, str, str, str]]


def in_rounds(items: Items) -> Items:
    """The same requests, reordered so that each member (token) sends one per round."""
    by_member: dict[str, Items] = {}
    for item in items:
        by_member.setdefault(item[2], []).append(item)
    queues = list(by_member.values())
    return [queue[n] for n in range(max(map(len, queues))) for queue in queues if n < len(queue)]


def withdrawn(items: Items) -> Items:
    """Each vote followed by its withdrawal, so that every request changes something."""
    return [request for item in items for request in (item, ("DELETE", item[1], item[2], ""))]


def nodebb_cases(seeded: dict[str, Any]) -> dict[str, Items]:
    """The same requests as ``forums.write_cases``, in NodeBB's API: the same members, bodies
    and mixes (``forums._mixed``), over NodeBB's own ids."""
    uids = [uid for uid, _token in seeded["members"]]
    tokens = [token for _uid, token in seeded["members"]]
    targets = seeded["targets"]
    reply = json.dumps({"content": json.loads(forums.REPLY)["body"]})
    votes = [(token, pid) for (pid, author), uid, token in zip(seeded["posts"], uids * 100, tokens * 100)
             if author != uid][:2000]
    return {
        "replies-1": [("POST", f"/api/v3/topics/{t}", tokens[0], reply) for t in targets],
        "replies-50": [("POST", f"/api/v3/topics/{t}", token, reply) for token, t in forums._mixed(tokens, targets)],
        "threads": [("POST", "/api/v3/topics", token, json.dumps(
            {"cid": int(cid), "title": "Bench thread {unique} on procurement",
             "content": "How do other ministries handle the bid period? Asked by the bench, {unique}."}))
                    for token, cid in zip(tokens, seeded["cids"] * 50)],
        "votes": withdrawn([("PUT", f"/api/v3/posts/{pid}/vote", token, json.dumps({"delta": 1}))
                            for token, pid in votes]),
        "profiles": [("PUT", f"/api/v3/users/{uid}", token, json.dumps(
            {"fullname": f"Officer {n}", "aboutme": "Saved by the bench, {unique}."}))
                     for n, uid, token in zip(forums.MEMBERS, uids, tokens)],
    }


class Side:
    """One server under test: where to send, which processes to charge, how to count writes
    and when its deferred work is done."""

    def __init__(self, name: str, base: str, pids: list[int], scripts: dict[str, Path]) -> None:
        self.name, self.base, self.pids, self.scripts = name, base, pids, scripts

    def cpu(self) -> float:
        return sum(forums.cpu_seconds(pid) for pid in self.pids)

    def stored(self, case: str) -> int | None:
        raise NotImplementedError

    def catch_up(self) -> float:
        raise NotImplementedError


class Ours(Side):
    def __init__(self, base: str, pid: int, scripts: dict[str, Path], store: forums.Store) -> None:
        super().__init__("ours", base, [pid], scripts)
        self.store = store

    def stored(self, case: str) -> int | None:
        collection = forums.STORED.get(case)
        return self.store.count(collection) if collection else None

    def catch_up(self) -> float:
        return self.store.caught_up()


class NodeBB(Side):
    def __init__(self, base: str, pids: list[int], scripts: dict[str, Path], redis_port: int) -> None:
        super().__init__("NodeBB", base, pids, scripts)
        self.redis_port = redis_port

    def stored(self, case: str) -> int | None:
        key = NODEBB_STORED.get(case)
        if key is None:
            return None
        done = subprocess.run(["redis-cli", "-p", str(self.redis_port), "zcard", key], capture_output=True, text=True,
                              check=True)
        return int(done.stdout)

    def catch_up(self, timeout: float = 120) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            before = self.cpu()
            time.sleep(0.5)
            if self.cpu() - before < 0.025:
                break
        return time.monotonic() - started


def run(side: Side, case: str, *, connections: int, duration: int) -> dict[str, Any]:
    side.catch_up()
    load = os.getloadavg()[0]
    kept, cpu_before = side.stored(case), side.cpu()
    result = forums.wrk(side.base, connections=connections, duration=duration, script=side.scripts[case], threads=1)
    ok = result["rps"] * (1 - result["non_2xx"] / max(1.0, result["requests"]))
    cpu = side.cpu() - cpu_before
    catch_up = side.catch_up()
    cpu_total = side.cpu() - cpu_before
    after = side.stored(case)
    stored = None if kept is None or after is None else after - kept
    requests = max(1.0, float(result["requests"] if stored is None else stored))
    kept_text = f"  stored {stored:5d}" if stored is not None else " " * 14
    print(f"{case:<13} {side.name:<6} {result['rps']:>7.0f} req/s  ok/s {ok:>6.0f}  p50 {result['p50']:>8.2f} ms  "
          f"p99 {result['p99']:>8.2f} ms  non-2xx {int(result['non_2xx']):>5}{kept_text}  "
          f"cpu {cpu * 1000 / requests:6.1f} ms  cpu+catch-up {cpu_total * 1000 / requests:6.1f} ms "
          f"({catch_up:4.1f} s)  load {load:4.2f}", flush=True)
    return {**result, "ok": ok, "cpu_ms": cpu_total * 1000 / requests}


def summarise(results: list[dict[str, Any]]) -> tuple[float, float, str]:
    """Mean 2xx answers a second, mean CPU ms per request, and both as text with each run's rate."""
    rate = sum(r["ok"] for r in results) / len(results)
    cpu = sum(r["cpu_ms"] for r in results) / len(results)
    each = ", ".join(f"{r['ok']:.0f}" for r in results)
    return rate, cpu, f"{rate:6.0f} req/s ({each}) {cpu:5.1f} ms cpu"


def write_scripts(directory: Path, cases: dict[str, Items], prefix: str) -> dict[str, Path]:
    scripts = {}
    for case, items in cases.items():
        scripts[case] = directory / f"{prefix}-{case}.lua"
        scripts[case].write_text(forums.lua(in_rounds(items)))
    return scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodebb", required=True, help="NodeBB's base URL (bench/peer_nodebb.sh prints it)")
    parser.add_argument("--nodebb-seed", required=True, type=Path, help="the JSON bench/peer_nodebb_seed.js wrote")
    parser.add_argument("--nodebb-pids", required=True, help="node's and redis-server's pids, comma-separated")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side per case, interleaved")
    parser.add_argument("--only", default=",".join(CASES), help=f"comma-separated cases out of {', '.join(CASES)}")
    args = parser.parse_args()
    wanted = [case for case in args.only.split(",") if case]
    unknown = set(wanted) - set(CASES)
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}")
    peer = json.loads(args.nodebb_seed.read_text())
    data_dir = Path(tempfile.mkdtemp(prefix="peer-bench-"))
    server = None
    try:
        nodebb = NodeBB(args.nodebb.rstrip("/"), [int(pid) for pid in args.nodebb_pids.split(",")],
                        write_scripts(data_dir, nodebb_cases(peer), "nodebb"), int(peer["redis_port"]))
        seeded = asyncio.run(forums.seed(data_dir, peer["threads"], peer["replies"]))
        port = forums.free_port()
        server = forums.start_server(data_dir, port)
        store = forums.Store(data_dir, ["search_outbox", "notification_intents"])
        cases = forums.write_cases(seeded)
        cases["votes"] = withdrawn(cases["votes"])
        ours = Ours(f"http://127.0.0.1:{port}", server.pid, write_scripts(data_dir, cases, "ours"), store)
        print(f"both seeded with {peer['threads']} threads and {peer['replies']} replies; wrk -c{args.connections} "
              f"-d{args.duration}s (replies-1: -c1), {args.rounds} rounds, {os.cpu_count()} cores", flush=True)
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for case in wanted:
            connections = 1 if case == "replies-1" else args.connections
            sides = [ours, nodebb] if case in NODEBB_CASES else [ours]
            for _round in range(args.rounds):
                for side in sides:
                    runs.setdefault((case, side.name), []).append(
                        run(side, case, connections=connections, duration=args.duration))
        print("\nsummary: mean 2xx answers/s (each run) and mean CPU ms per request including the catch-up")
        for case in wanted:
            mine = summarise(runs[(case, "ours")])
            theirs = runs.get((case, "NodeBB"))
            if theirs:
                peer = summarise(theirs)
                peer_text = (f"NodeBB {peer[2]}  ours/NodeBB rate {mine[0] / peer[0]:4.1f}x, "
                             f"NodeBB/ours cpu {peer[1] / mine[1]:4.1f}x")
            else:
                peer_text = "NodeBB: no equivalent"
            print(f"{case:<13} ours {mine[2]}  {peer_text}")
    finally:
        if server is not None:
            forums.stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
