"""Ranking evaluation of Loupe on Cranfield and SciFact (see Scripts/eval_lib/README-section.md)."""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

from . import corpora
from .loupe import Loupe, LoupeError, build_release, log

SCRIPTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
BASELINE_FILE = os.path.join(SCRIPTS_DIR, "eval-baseline.json")
CHECK_TOLERANCE = 0.005

# Lucene 8.8.1 EnglishAnalyzer nDCG@10 (from the issue), and the targets for shipped defaults.
REFERENCE = {
    "scifact": {"lucene k1=0.9 b=0.4": 0.6974, "lucene k1=1.2 b=0.75": 0.6988, "target": 0.71},
    "cranfield": {"lucene k1=0.9 b=0.4": 0.3510, "lucene k1=1.2 b=0.75": 0.3675, "target": 0.38},
}

K1_GRID = (0.6, 0.9, 1.2, 1.5)
B_GRID = (0.3, 0.4, 0.55, 0.75, 0.9)
TITLE_WEIGHTS = (0, 0.25, 0.5, 1, 2)
EXACT_WEIGHTS = (0, 0.05, 0.1, 0.25)
FEEDBACK = ((5, 0.25), (10, 0.5))                    # (hits, weight) for `find --feedback`
RETUNE_K1 = (0.9, 1.2, 1.5)          # k1 x b tried again on top of the combined changes
RETUNE_B = (0.4, 0.55, 0.75)
# Options of `find`/`index` this script knows how to treat (not ablation candidates).
KNOWN_OPTS = {"--index", "--limit", "--json", "--context", "--k1", "--b", "--color", "--explain", "--batch",
              "--format", "--run-tag", "--rounds", "--warmup", "--plain", "--proximity", "--version", "--help",
              "--analyzer", "--memory", "--rebuild", "--optimize", "--threads", "--verbose", "--title-weight",
              "--stopwords", "--no-stopwords", "--exact-weight", "--feedback", "--feedback-weight",
              "--feedback-terms"}

# Lucene's EnglishAnalyzer stop set (ENGLISH_STOP_WORDS_SET, 33 words), for the script-side
# "stopwords removed from the queries" ablation, used while loupe has no stopword option.
LUCENE_STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there "
    "these they this to was will with".split())
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def split_query(text):
    """The query's words joined by spaces: a compound such as "0-dimensional" or "lift-drag"
    becomes two words (loupe --plain takes a word that analyzes to several terms as an exact
    phrase; Lucene's query parser ORs them). Inner apostrophes stay, so possessives still work."""
    return " ".join(_WORD.findall(text))


def stop_query(text):
    """split_query, and Lucene's 33 English stopwords dropped."""
    return " ".join(w for w in _WORD.findall(text) if w.lower() not in LUCENE_STOPWORDS)


QUERY_TRANSFORMS = {None: lambda t: corpora._clean(t), "split": split_query, "stop33": stop_query}
TRANSFORM_LABELS = {
    "split": "compound words split (a-b -> a b)",
    "stop33": "compound words split + Lucene's 33 stopwords dropped",
}


def shared_dir():
    return os.environ.get("SHARED") or os.path.join(os.path.dirname(REPO_ROOT), "shared")


def work_dir():
    return os.environ.get("EVAL_WORK") or "/tmp/loupe-eval"


# ---------------------------------------------------------------- configurations

def _fmt_num(x):
    return "%g" % x


def _norm(v):
    try:
        return "%g" % float(v)
    except (TypeError, ValueError):
        return v


class Config:
    """One evaluated setting: index arguments (analyzer + extra), find arguments, a query
    transform done by this script, and the run depth (--limit)."""

    # The shipped defaults (from --help), filled into the keys so that e.g. "k1=1.2 b=0.75",
    # "--proximity" or "--analyzer english" share one run with the defaults when they are them.
    defaults_index = {}
    defaults_find = {}

    def __init__(self, group, label, analyzer=None, index_args=(), find_args=(), transform=None, depth=1000):
        self.group, self.label = group, label
        self.analyzer = analyzer
        self.index_args = tuple(index_args)
        self.find_args = tuple(find_args)
        self.transform = transform
        self.depth = depth

    @staticmethod
    def _canon(args, defaults):
        d = dict(defaults)
        args = list(args)
        i = 0
        while i < len(args):
            a = args[i]
            if a.startswith("--no-") and "--" + a[5:] in d:        # --no-x of a --x/--no-x pair
                d["--" + a[5:]] = a
            elif a in d and d[a] in (a, "--no-" + a[2:]):           # --x of such a pair
                d[a] = a
            elif i + 1 < len(args) and not args[i + 1].startswith("--"):
                d[a] = args[i + 1]
                i += 1
            else:
                d[a] = a
            i += 1
        return tuple(sorted((k, _norm(v)) for k, v in d.items()))

    @property
    def index_key(self):
        args = (("--analyzer", self.analyzer) if self.analyzer else ()) + self.index_args
        return self._canon(args, Config.defaults_index)

    @property
    def run_key(self):
        return (self.index_key, self._canon(self.find_args, Config.defaults_find), self.transform, self.depth)

    def command_args(self):
        a = []
        if self.analyzer or self.index_args:
            a.append("index " + " ".join((("--analyzer", self.analyzer) if self.analyzer else ()) + self.index_args))
        if self.find_args:
            a.append("find " + " ".join(self.find_args))
        if self.transform:
            a.append("queries: %s by the script" % TRANSFORM_LABELS[self.transform])
        return "; ".join(a) or "(defaults)"

    def slug(self):
        s = "_".join([x.strip("-") for x in self.command_args().split()] + ["d%d" % self.depth])
        return re.sub(r"[^A-Za-z0-9._=-]+", "_", s)[:120]


def merge_configs(group, label, parts, depth):
    """One config that applies every change of `parts` (each from a different ablation group)."""
    c = Config(group, label, depth=depth)
    for p in parts:
        c.analyzer = p.analyzer or c.analyzer
        c.index_args += p.index_args
        c.find_args += p.find_args
        c.transform = p.transform or c.transform
    return c


def _defaults(opts, names):
    d = {}
    for n in names:
        o = opts.get(n)
        if o is not None and o.default() is not None:
            d[n] = o.default()
    return d


def option_ablations(loupe, notes):
    """Ablations for options that only some versions of loupe have (title weight, stopwords)."""
    out = []
    for cmd, opts in (("find", loupe.find_opts), ("index", loupe.index_opts)):
        def mk(label, args, group, cmd=cmd):
            return (Config(group, label, find_args=args) if cmd == "find"
                    else Config(group, label, index_args=args))
        if cmd == "index":
            # An option that find also has is a query-time setting (at index time it only stores
            # the index's default): ablate it on find only, without re-indexing.
            opts = {k: v for k, v in opts.items() if k not in loupe.find_opts}
        for flag, name, values in (("--title-weight", "title weight", TITLE_WEIGHTS),
                                   ("--exact-weight", "exact-form weight", EXACT_WEIGHTS)):
            o = opts.get(flag)
            if o is None:
                continue
            d = o.default()
            for w in values:
                is_def = d is not None and _norm(d) == _fmt_num(w)
                out.append(mk("%s %s%s" % (name, _fmt_num(w), " (default)" if is_def else ""),
                              (flag, _fmt_num(w)), "%s (%s)" % (name, cmd)))
        if cmd == "find" and opts.get("--feedback") is not None:
            g = "relevance feedback (find)"
            out.append(mk("off (default)", (), g))
            for n, w in FEEDBACK:
                out.append(mk("--feedback %d --feedback-weight %s" % (n, _fmt_num(w)),
                              ("--feedback", str(n), "--feedback-weight", _fmt_num(w)), g))
        sw = opts.get("--stopwords") or opts.get("--no-stopwords")
        if sw is not None:
            g = "stopwords (%s)" % cmd
            if len(sw.flags) == 2:                       # --stopwords/--no-stopwords
                out += [mk("%s%s" % (f, " (default)" if sw.default() == f else ""), (f,), g) for f in sw.flags]
            elif sw.value is None:                       # a plain flag: off / on
                out += [mk("without %s (default)" % sw.flags[0], (), g), mk(sw.flags[0], (sw.flags[0],), g)]
            elif sw.values():                            # an enumeration
                out += [mk("%s %s%s" % (sw.flags[0], v, " (default)" if sw.default() == v else ""),
                           (sw.flags[0], v), g) for v in sw.values()]
            else:
                notes.append("`loupe %s %s <%s>` is present but --help lists no values; not ablated "
                             "(pass one with --%s-arg)" % (cmd, sw.flags[0], sw.value, cmd))
        for name, opt in opts.items():
            if name not in KNOWN_OPTS and not any(f in KNOWN_OPTS for f in opt.flags):
                notes.append("`loupe %s %s` is new to this script: not ablated" % (cmd, opt.name))
    return out


def learn_defaults(loupe, explained=None):
    """Shipped defaults as far as --help states them (and k1, b from --explain when it doesn't)."""
    Config.defaults_find = _defaults(loupe.find_opts, ("--k1", "--b", "--proximity", "--title-weight", "--stopwords"))
    Config.defaults_index = _defaults(
        loupe.index_opts, [o for o in ("--analyzer", "--title-weight", "--stopwords") if o not in loupe.find_opts])
    if explained:
        for flag, v in zip(("--k1", "--b"), explained):
            if v is not None and flag not in Config.defaults_find:
                Config.defaults_find[flag] = v


def build_configs(loupe, ablations, notes, depth=1000, ablation_depth=100):
    """configs[0] = the shipped defaults at `depth`; with ablations, configs[1] = the same at
    `ablation_depth` (the baseline of the ablation rows), then one change at a time."""
    configs = [Config("defaults", "shipped defaults", depth=depth)]
    if not ablations:
        return configs
    configs.append(Config("defaults", "shipped defaults"))
    a = loupe.index_opts.get("--analyzer")
    if a is not None:
        for v in a.values() or ("english", "plain"):
            configs.append(Config("analyzer", "%s%s" % (v, " (default)" if v == a.default() else ""), analyzer=v))
    prox = loupe.find_opts.get("--proximity")
    if prox is not None and len(prox.flags) == 2:
        for f in prox.flags:
            configs.append(Config("proximity", "%s%s" % (f, " (default)" if f == prox.default() else ""),
                                  find_args=(f,)))
    else:
        notes.append("`find --proximity/--no-proximity` not present: proximity not ablated")
    dk1, db = Config.defaults_find.get("--k1"), Config.defaults_find.get("--b")
    for k1 in K1_GRID:
        for b in B_GRID:
            is_def = dk1 is not None and db is not None and _norm(dk1) == _fmt_num(k1) and _norm(db) == _fmt_num(b)
            c = Config("bm25", "k1=%s b=%s%s" % (_fmt_num(k1), _fmt_num(b), " (default)" if is_def else ""),
                       find_args=("--k1", _fmt_num(k1), "--b", _fmt_num(b)))
            c.k1, c.b = k1, b
            configs.append(c)
    configs += option_ablations(loupe, notes)
    # Query rewriting done by this script (what loupe does not offer): compound words split, and
    # while loupe has no stopword option, Lucene's stopwords dropped as well.
    g = "query words (script)"
    configs.append(Config(g, TRANSFORM_LABELS["split"], transform="split"))
    if not any(c.group.startswith("stopwords") for c in configs):
        configs.append(Config(g, TRANSFORM_LABELS["stop33"], transform="stop33"))
    for c in configs[1:]:
        c.depth = ablation_depth
    return configs


# ---------------------------------------------------------------- running

class Prepared:
    """A collection converted under `base`: corpus/corpus.jsonl (alone in its folder, so the folder
    is what gets indexed), queries[-transform].tsv, the qrels, and the indexes built so far."""

    def __init__(self, coll, base):
        self.coll = coll
        self.base = base
        self.corpus_dir = os.path.join(base, "corpus")
        self.runs_dir = os.path.join(base, "runs")
        self.indexes = {}
        self.query_files = {}

    def queries_file(self, transform):
        if transform not in self.query_files:
            fn = QUERY_TRANSFORMS[transform]
            path = os.path.join(self.base, "queries%s.tsv" % ("-" + transform if transform else ""))
            empty = 0
            with open(path, "w", encoding="utf-8") as f:
                for qid, text in self.queries:
                    t = fn(text)
                    if not t.strip():
                        empty += 1
                    f.write("%s\t%s\n" % (qid, t))
            if empty:
                log("  %s: %d queries are empty after %s" % (self.coll.name, empty, transform or "cleaning"))
            self.query_files[transform] = path
        return self.query_files[transform]


def prepare(coll, base):
    p = Prepared(coll, base)
    os.makedirs(p.corpus_dir, exist_ok=True)
    os.makedirs(p.runs_dir, exist_ok=True)
    for f in os.listdir(p.corpus_dir):            # nothing else may sit in the indexed folder
        if f != "corpus.jsonl":
            os.remove(os.path.join(p.corpus_dir, f))
    for f in os.listdir(p.runs_dir):              # runs of an earlier invocation
        if f.endswith(".trec"):
            os.remove(os.path.join(p.runs_dir, f))
    tmp = os.path.join(p.corpus_dir, ".corpus.jsonl.tmp")
    p.ndocs = coll.write_corpus(tmp)
    os.replace(tmp, os.path.join(p.corpus_dir, "corpus.jsonl"))
    p.queries = coll.queries()
    p.qrels = coll.qrels()
    return p


def ensure_indexes(loupe, prep, configs):
    """Index what `configs` need, once per distinct index setting."""
    for c in configs:
        if c.index_key in prep.indexes:
            continue
        name = "-".join(k.strip("-") + ("" if v == k else "=" + v)
                        for k, v in c.index_key if Config.defaults_index.get(k) != v) or "default"
        name = re.sub(r"[^A-Za-z0-9._=-]+", "_", name)
        idx = os.path.join(prep.base, "index-" + name)
        summary = loupe.index(prep.corpus_dir, idx, analyzer=c.analyzer, extra=list(c.index_args))
        n = summary.get("documentsInIndex", summary.get("articles"))
        log("  %s: indexed %s docs in %.1f s [%s]" % (prep.coll.name, n, summary["_elapsed"], name))
        if n is not None and n != prep.ndocs:
            log("  WARNING: the index holds %s docs, the corpus has %d" % (n, prep.ndocs))
        prep.indexes[c.index_key] = idx


def run_collection(loupe, prep, configs, jobs, keep_runs=True):
    """Index what is needed, then run every distinct config, `jobs` `loupe find` processes at a
    time. Returns {run_key: result}."""
    from .measures import evaluate
    ensure_indexes(loupe, prep, configs)
    unique = {}
    for c in configs:
        unique.setdefault(c.run_key, c)

    def one(c):
        tag = c.slug()
        run, errors, elapsed = loupe.run_batch(prep.queries_file(c.transform), prep.indexes[c.index_key], "loupe",
                                               extra=c.find_args, limit=c.depth)
        if keep_runs:
            with open(os.path.join(prep.runs_dir, tag + ".trec"), "w") as f:
                for q, docs in run.items():
                    for r, (d, s) in enumerate(sorted(docs.items(), key=lambda x: -x[1]), start=1):
                        f.write("%s Q0 %s %d %.6f loupe\n" % (q, d, r, s))
        means, per_query, info = evaluate(prep.qrels, run)
        info["errors"] = errors[:10]
        info["seconds"] = elapsed
        return c.run_key, {"means": means, "per_query": per_query, "info": info}

    for c in unique.values():                     # query files are written before the threads start
        prep.queries_file(c.transform)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for key, res in ex.map(one, unique.values()):
            results[key] = res
    return results


def combine(loupe, prepared, configs, results, jobs):
    """After the one-at-a-time ablations: (1) forward selection over the ablation groups: each
    group's best setting (mean nDCG@10 over the collections, among those that lower no
    collection), tried in order of gain on top of the changes accepted so far, and accepted when
    it raises the mean and lowers no collection; (2) k1 x b tried again on top of the accepted
    changes; (3) the best of those by mean, run at full depth. Returns (new configs, steps)."""
    names = [n for n, _ in prepared]
    base = configs[1]

    def nd(n, c):
        return results[n][c.run_key]["means"]["ndcg@10"]

    def mean(c):
        return sum(nd(n, c) for n in names) / len(names)

    def run(cs):
        for n, prep in prepared:
            todo = [c for c in cs if c.run_key not in results[n]]
            if todo:
                results[n].update(run_collection(loupe, prep, todo, jobs))

    candidates = []
    for g in dict.fromkeys(c.group for c in configs[2:]):
        if g == "bm25":
            continue
        ok = [c for c in configs if c.group == g and all(nd(n, c) >= nd(n, base) for n in names)]
        if ok:
            best = max(ok, key=mean)
            if mean(best) > mean(base) + 1e-9:
                candidates.append(best)
    candidates.sort(key=mean, reverse=True)

    new, steps = [], []
    accepted, current = [], base
    for cand in candidates:
        label = " + ".join(p.label for p in accepted + [cand])
        trial = merge_configs("combined", label, accepted + [cand], base.depth)
        run([trial])
        new.append(trial)
        ok = mean(trial) > mean(current) + 1e-9 and all(nd(n, trial) >= nd(n, current) for n in names)
        steps.append((cand, trial, ok))
        if ok:
            accepted, current = accepted + [cand], trial
    # k1 x b again, on top of what was accepted.
    grid = []
    prefix = " + ".join(p.label for p in accepted)
    for g in configs:
        if g.group == "bm25" and g.k1 in RETUNE_K1 and g.b in RETUNE_B:
            m = merge_configs("combined+bm25", (prefix + " + " if prefix else "") + g.label.split(" (")[0],
                              accepted + [g], base.depth)
            m.k1, m.b = g.k1, g.b
            grid.append(m)
    if accepted:
        run(grid)
        new += grid
    pool = [c for c in configs[1:] + new if all(nd(n, c) >= nd(n, base) for n in names)]
    best = max(pool, key=mean)
    final = merge_configs("recommended", best.label, [best], configs[0].depth)
    run([final])
    new.append(final)
    return new, steps


def mark_default_equivalents(configs, colls, results):
    """Label ablation rows whose results equal the defaults' query by query (the help text of
    options without a fixed default does not say which value is the default)."""
    base = configs[1]

    def sig(n, c):
        return [(q, v["ndcg@10"], v["map"], v["recall@100"]) for q, v in sorted(results[n][c.run_key]["per_query"].items())]

    want = {n: sig(n, base) for n in colls}
    for c in configs[2:]:
        if c.group.startswith("combined") or "(default)" in c.label or c.run_key == base.run_key:
            continue
        if all(sig(n, c) == want[n] for n in colls):
            c.label += " (same results as defaults)"


# ---------------------------------------------------------------- reporting

def f4(x):
    return "%.4f" % x


def report(out, colls, configs, results, notes, loupe, elapsed, steps=()):
    w = out.write
    w("## Loupe ranking evaluation\n\n")
    known = dict(Config.defaults_index)
    known.update(Config.defaults_find)
    shown = ", ".join("%s %s" % (k.strip("-"), v) for k, v in sorted(known.items())) or "none stated"
    w("loupe %s (`%s`). Defaults = no ranking flag given (known: %s; rows marked 'same results as "
      "defaults' show the values of the others).\n\n" % (loupe.version(), loupe.binary, shown))
    measures_table(w, colls, [configs[0]], results, "collection")
    w("\n")
    for name, prep in colls:
        info = results[name][configs[0].run_key]["info"]
        extra = []
        if info["queries_without_hits"]:
            extra.append("%d queries returned nothing (counted as 0)" % len(info["queries_without_hits"]))
        if info["errors"]:
            extra.append("loupe reported: %s" % "; ".join(info["errors"][:3]))
        w("- %s: %d docs; qrels: %s%s\n" % (prep.coll.label, prep.ndocs, prep.coll.qrels_note(),
                                              ("; " + "; ".join(extra)) if extra else ""))
    if len(configs) > 1:
        report_ablations(w, colls, configs, results, steps)
    if notes:
        w("\n")
    for n in notes:
        w("- note: %s\n" % n)
    w("\n_total %.0f s_\n" % elapsed)


def measures_table(w, colls, configs, results, first):
    w("| %s | queries | nDCG@10 | MAP | R@100 | R@1000 | Lucene 8.8.1 nDCG@10 (k1 0.9 b 0.4 / 1.2 0.75) | target |\n"
      % first)
    w("|---|---:|---:|---:|---:|---:|---:|---:|\n")
    for c in configs:
        for name, prep in colls:
            r = results[name][c.run_key]
            m = r["means"]
            ref = REFERENCE.get(name, {})
            mark = ""
            if "target" in ref:
                mark = " (met)" if m["ndcg@10"] >= ref["target"] else " (not met)"
            w("| %s | %d | %s | %s | %s | %s | %s / %s | %s%s |\n" % (
                prep.coll.label, r["info"]["queries"], f4(m["ndcg@10"]), f4(m["map"]), f4(m["recall@100"]),
                f4(m["recall@1000"]), ref.get("lucene k1=0.9 b=0.4", "-"), ref.get("lucene k1=1.2 b=0.75", "-"),
                ref.get("target", "-"), mark))


def report_ablations(w, colls, all_configs, results, steps):
    base_c = all_configs[1]
    configs = [c for c in all_configs[1:] if c.group not in ("combined", "combined+bm25", "recommended")]
    retuned = [c for c in all_configs if c.group == "combined+bm25"]
    final = [c for c in all_configs if c.group == "recommended"]
    names = [n for n, _ in colls]

    def nd(n, c):
        return results[n][c.run_key]["means"]["ndcg@10"]

    def mean(c):
        return sum(nd(n, c) for n in names) / len(names)

    w("\n### Ablations: one change from the defaults at a time\n\n")
    w("Runs cut at %d hits: nDCG@10 and R@100 are exact, MAP is MAP@%d.\n\n" % (base_c.depth, base_c.depth))
    w("| collection | ablation | setting | nDCG@10 | Δ nDCG@10 | MAP@%d | R@100 |\n|---|---|---|---:|---:|---:|---:|\n"
      % base_c.depth)
    for name, prep in colls:
        base = nd(name, base_c)
        ordered = [c for c in configs if c.group != "bm25"] + [c for c in configs if c.group == "bm25"]
        for c in ordered:
            m = results[name][c.run_key]["means"]
            w("| %s | %s | %s | %s | %+.4f | %s | %s |\n" % (prep.coll.label, c.group, c.label, f4(m["ndcg@10"]),
                                                            m["ndcg@10"] - base, f4(m["map"]), f4(m["recall@100"])))

    def matrices(grid, what):
        k1s = sorted({c.k1 for c in grid})
        bs = sorted({c.b for c in grid})
        look = {(c.k1, c.b): c for c in grid}

        def matrix(title, value):
            w("\n%s\n\n| k1 \\ b | %s |\n|---|%s\n" % (title, " | ".join(_fmt_num(b) for b in bs), "---:|" * len(bs)))
            cells = {kb: value(c) for kb, c in look.items()}
            best = max(cells.values())
            for k in k1s:
                row = []
                for b in bs:
                    v = cells.get((k, b))
                    row.append("-" if v is None else ("**%s**" % f4(v) if v == best else f4(v)))
                w("| %s | %s |\n" % (_fmt_num(k), " | ".join(row)))

        for name, prep in colls:
            matrix("nDCG@10 over k1 × b%s, %s (bold = best)" % (what, prep.coll.label),
                   lambda c, name=name: nd(name, c))
        if len(colls) > 1:
            matrix("nDCG@10 over k1 × b%s, mean of the collections" % what, mean)

    grid = [c for c in configs if c.group == "bm25"]
    if grid:
        matrices(grid, "")

    if steps:
        w("\n### Combining changes (forward selection)\n\n")
        w("Each ablation's best setting that lowers no collection, in order of gain, tried on top of the "
          "changes accepted so far; accepted when the mean nDCG@10 rises and no collection drops.\n\n")
        w("| tried | %s | mean | accepted |\n|---|%s---:|---|\n" % (
            " | ".join("%s nDCG@10" % p.coll.label for _, p in colls), "---:|" * len(colls)))
        w("| (defaults) | %s | %s | |\n" % (" | ".join(f4(nd(n, base_c)) for n in names), f4(mean(base_c))))
        for cand, trial, ok in steps:
            w("| + %s | %s | %s | %s |\n" % (cand.label, " | ".join(f4(nd(n, trial)) for n in names),
                                             f4(mean(trial)), "yes" if ok else "no"))
    if retuned:
        prefix = retuned[0].label.rsplit(" + ", 1)[0]
        matrices(retuned, " (with %s)" % prefix)

    if final:
        c = final[0]
        w("\n### Recommended: the best mean nDCG@10 of all runs above that lowers no collection\n\n")
        w("`%s` (at depth %d):\n\n" % (c.command_args(), c.depth))
        measures_table(w, colls, [c], results, "collection")

    everything = configs + [c for c in all_configs if c.group in ("combined", "combined+bm25")]
    w("\n### Best settings (nDCG@10, depth %d)\n\n" % base_c.depth)
    for name, prep in colls:
        best = max(everything, key=lambda c: nd(name, c))
        tgt = REFERENCE.get(name, {}).get("target")
        hits = {c.run_key for c in everything if tgt is not None and nd(name, c) >= tgt}
        w("- %s: best %s with `%s`%s\n" % (
            prep.coll.label, f4(nd(name, best)), best.command_args(),
            "" if tgt is None else "; %d of %d distinct settings reach the target %s"
            % (len(hits), len({c.run_key for c in everything}), tgt)))
    if len(colls) > 1:
        best = max(everything, key=mean)
        w("- best mean: %s with `%s` [%s]\n" % (f4(mean(best)), best.command_args(), ", ".join(
            "%s %s" % (p.coll.name, f4(nd(n, best))) for n, p in colls)))
        both = [c for c in everything if all(nd(n, c) >= REFERENCE.get(n, {}).get("target", 0) for n in names)]
        w("- settings reaching every target: %s\n" % (
            ", ".join("`%s`" % a for a in sorted({c.command_args() for c in both})) or "none"))


def results_json(colls, configs, results):
    out = {}
    for name, prep in colls:
        out[name] = []
        for c in configs:
            r = results[name][c.run_key]
            out[name].append({"group": c.group, "setting": c.label, "args": c.command_args(), "depth": c.depth,
                              "means": r["means"], "queries": r["info"]["queries"],
                              "queries_without_hits": len(r["info"]["queries_without_hits"]),
                              "seconds": round(r["info"]["seconds"], 2)})
    return out


# ---------------------------------------------------------------- entry

def parse_args(argv):
    ap = argparse.ArgumentParser(prog="Scripts/eval", description=__doc__)
    ap.add_argument("--collections", default="cranfield,scifact",
                    help="comma-separated: cranfield, scifact (default: both)")
    ap.add_argument("--ablations", action="store_true", help="also run the ablation grid")
    ap.add_argument("--check", action="store_true",
                    help="CI mode: Cranfield, defaults; exit 1 if nDCG@10 < baseline - %.3f" % CHECK_TOLERANCE)
    ap.add_argument("--loupe", metavar="PATH", help="loupe binary to use (default: swift build -c release)")
    ap.add_argument("--scratch-path", default=os.path.join(REPO_ROOT, ".build-eval"),
                    help="swift build --scratch-path for the default build (default: <repo>/.build-eval)")
    ap.add_argument("--cranfield-qrels", default="graded", choices=sorted(corpora.CRANFIELD_QRELS_MODES),
                    help="how Cranfield grades become gains (default: graded = 5 - grade, -1 rows dropped)")
    ap.add_argument("--depth", type=int, default=1000, help="hits per query for the defaults run (default: 1000)")
    ap.add_argument("--ablation-depth", type=int, default=100,
                    help="hits per query for ablation runs (default: 100; nDCG@10 and R@100 exact, MAP cut at 100)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel `loupe find` runs (default: cores)")
    ap.add_argument("--find-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every `loupe find` (repeatable: --find-arg=--k1 --find-arg=0.9)")
    ap.add_argument("--index-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every `loupe index` (repeatable)")
    ap.add_argument("--json-out", metavar="FILE", help="also write every mean as JSON to FILE")
    ap.add_argument("--update-baseline", action="store_true",
                    help="write the measured Cranfield nDCG@10 (defaults) to Scripts/eval-baseline.json")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.time()
    corpora_dir = os.path.join(shared_dir(), "corpora")
    names = ["cranfield"] if args.check else [n.strip() for n in args.collections.split(",") if n.strip()]
    if not names:
        print("--collections names no collection", file=sys.stderr)
        return 2
    for n in names:
        if n not in corpora.COLLECTIONS:
            print("unknown collection %r (known: %s)" % (n, ", ".join(corpora.COLLECTIONS)), file=sys.stderr)
            return 2
    if args.check and args.ablations:
        print("--check runs the defaults only; drop --ablations", file=sys.stderr)
        return 2

    colls = []
    for n in names:
        kw = {"qrels_mode": args.cranfield_qrels} if n == "cranfield" else {}
        coll = corpora.open_collection(n, corpora_dir, **kw)
        if not coll.exists():
            if args.check:
                print("skipped: ../shared/corpora not found (no %s)" % coll.root)
                return 0
            print("error: %s not found (needs %s); set SHARED=<dir holding corpora/>" % (
                coll.root, ", ".join(coll.required_files)), file=sys.stderr)
            return 2
        colls.append((n, coll))

    from .venv import ensure_venv_and_reexec
    ensure_venv_and_reexec(work_dir())            # returns only when running inside the venv

    work = work_dir()
    try:
        if args.loupe:
            loupe = Loupe(args.loupe)
        else:
            loupe = Loupe(build_release(REPO_ROOT, args.scratch_path, os.path.join(work, "bin")))
    except (LoupeError, subprocess.CalledProcessError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2

    notes = []
    learn_defaults(loupe)
    try:
        prepared_all = []
        for n, coll in colls:
            prep = prepare(coll, os.path.join(work, "data", n))
            log("%s: %d docs, %d queries, %d judged queries" % (n, prep.ndocs, len(prep.queries), len(prep.qrels)))
            prepared_all.append((n, prep))
        first = prepared_all[0][1]
        ensure_indexes(loupe, first, [Config("defaults", "defaults")])
        word = next((w for _, q in first.queries for w in q.split() if w.isalpha() and len(w) > 3), "the")
        explained = loupe.explained_bm25(first.indexes[Config("defaults", "defaults").index_key], word)
    except LoupeError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    learn_defaults(loupe, explained)
    configs = build_configs(loupe, args.ablations, notes, depth=args.depth, ablation_depth=args.ablation_depth)
    if args.find_arg or args.index_arg:
        for c in configs:
            c.find_args = tuple(args.find_arg) + c.find_args
            c.index_args = tuple(args.index_arg) + c.index_args
        notes.append("every run has the extra arguments: %s" % "; ".join(
            (["index " + " ".join(args.index_arg)] if args.index_arg else [])
            + (["find " + " ".join(args.find_arg)] if args.find_arg else [])))

    results = {}
    prepared = []
    try:
        for n, prep in prepared_all:
            t = time.time()
            results[n] = run_collection(loupe, prep, configs, args.jobs)
            log("%s: %d runs in %.1f s" % (n, len({c.run_key for c in configs}), time.time() - t))
            prepared.append((n, prep))
        steps = []
        if args.ablations:
            t = time.time()
            extra, steps = combine(loupe, prepared, configs, results, args.jobs)
            log("combinations: %d runs in %.1f s" % (len(extra), time.time() - t))
            configs += extra
    except LoupeError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2

    if args.ablations:
        mark_default_equivalents(configs, [n for n, _ in prepared], results)
    report(sys.stdout, prepared, configs, results, notes, loupe, time.time() - t0, steps)
    sys.stdout.flush()
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results_json(prepared, configs, results), f, indent=1)

    if args.update_baseline and "cranfield" in results:
        v = results["cranfield"][configs[0].run_key]["means"]["ndcg@10"]
        with open(BASELINE_FILE, "w") as f:
            json.dump({"cranfield": {"ndcg@10": round(v, 4)}}, f)
            f.write("\n")
        log("wrote %s: cranfield ndcg@10 %.4f" % (BASELINE_FILE, v))

    if args.check:
        v = results["cranfield"][configs[0].run_key]["means"]["ndcg@10"]
        try:
            with open(BASELINE_FILE) as f:
                base = float(json.load(f)["cranfield"]["ndcg@10"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            print("error: cannot read the baseline %s: %s" % (BASELINE_FILE, e), file=sys.stderr)
            return 2
        floor = base - CHECK_TOLERANCE
        if v < floor:
            print("FAIL: Cranfield nDCG@10 %.4f < baseline %.4f - %.3f = %.4f" % (v, base, CHECK_TOLERANCE, floor))
            return 1
        print("OK: Cranfield nDCG@10 %.4f >= baseline %.4f - %.3f" % (v, base, CHECK_TOLERANCE))
    return 0
