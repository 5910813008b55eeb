#!/usr/bin/env python3
"""Runs the harness's query set through `loupe find --batch` and writes peer_worker's JSON.

Query mapping: term -> `t`; or -> `a OR b`; and -> `a AND b`; phrase -> `"a b"`;
near (both terms, either order, at most `slop` tokens between) -> `a NEAR/slop b`.
"""
import argparse
import json
import os
import shlex
import subprocess
import tempfile
import time


def to_query(q):
    t = q["terms"]
    op = q["op"]
    if op == "term":
        return t[0]
    if op == "or":
        return " OR ".join(t)
    if op == "and":
        return " AND ".join(t)
    if op == "phrase":
        return '"%s"' % " ".join(t)
    if op == "near":
        return "%s NEAR/%d %s" % (t[0], int(q.get("slop", 5)), t[1])
    raise ValueError(op)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("-k", type=int, default=10)
    a = ap.parse_args()
    qs = [json.loads(l) for l in open(a.queries, encoding="utf-8") if l.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
        for q in qs:
            f.write("%s\t%s\n" % (q["qid"], to_query(q)))
        batch = f.name
    t0 = time.perf_counter()
    cmd = shlex.split(a.cli) + ["find", "--batch", batch, "--index", a.index, "--json", "--limit", str(a.k),
                                "--rounds", str(a.rounds), "--warmup", str(a.warmup), "--no-proximity"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    finally:
        os.unlink(batch)
    if p.returncode not in (0, 1):
        raise SystemExit("loupe failed: %s\n%s" % (p.returncode, p.stderr[-2000:]))
    results = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        if "error" in o:
            results[o["qid"]] = {"count": None, "top": [], "lat_us": [], "error": o["error"]}
            continue
        lat = o.get("micros_rounds") or [o["micros"]]
        results[o["qid"]] = {"count": o["total"], "top": [[h["id"], h["score"]] for h in o["hits"]], "lat_us": lat}
    out = {"engine": "team", "open_s": None, "rounds": a.rounds, "warmup": a.warmup, "k": a.k, "unsupported": [],
           "results": results, "wall_s": time.perf_counter() - t0}
    json.dump(out, open(a.out, "w"))


if __name__ == "__main__":
    main()
