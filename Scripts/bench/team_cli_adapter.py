"""Loupe's slot in the peer benchmark (../shared/bench/run_bench.py imports this module).

Index: `loupe index <corpus-dir> --index <dir> --analyzer plain --optimize --json` (the harness's
tokenizer; one segment at the end, like the peers' own optimize step).
Queries: `loupe_batch.py` converts the harness's query JSONL to Loupe's query language, runs
`loupe find --batch --json --rounds R --warmup W --limit K --no-proximity` once (one process,
warm after the warm-up rounds) and writes peer_worker's JSON format.
"""
import json
import os
import shlex
import sys

HERE = os.path.dirname(os.path.realpath(__file__))


class TeamCli:
    name = "team"

    def __init__(self, cli, corpus_dir, corpus_jsonl):
        self.cli = shlex.split(cli)
        self.corpus_dir = corpus_dir
        self.corpus_jsonl = corpus_jsonl

    def index_cmd(self, index_dir):
        return self.cli + ["index", self.corpus_dir, "--index", index_dir, "--analyzer", "plain", "--optimize",
                           "--rebuild", "--json"]

    def query_cmd(self, index_dir, queries_jsonl, out_json, rounds, warmup, k):
        return [sys.executable, os.path.join(HERE, "loupe_batch.py"), "--cli", " ".join(shlex.quote(c) for c in self.cli),
                "--index", index_dir, "--queries", queries_jsonl, "--out", out_json, "--rounds", str(rounds),
                "--warmup", str(warmup), "-k", str(k)]

    def parse_index_stdout(self, stdout):
        for line in reversed(stdout.strip().splitlines()):
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict):
                return {"docs": o.get("documentsInIndex", o.get("articles")), "segments": o.get("segments"),
                        "build_s": o.get("seconds")}
        return {}

    def to_peer_json(self, out_json):
        with open(out_json) as f:
            raw = json.load(f)
        ids = {}
        with open(self.corpus_jsonl, encoding="utf-8") as f:
            for i, line in enumerate(f):
                ids[json.loads(line)["id"]] = i
        for res in raw.get("results", {}).values():
            res["top"] = [[ids.get(str(d), d) if not isinstance(d, int) else d, s] for d, s in res.get("top", [])]
        raw["engine"] = self.name
        return raw
