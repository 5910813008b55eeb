"""Test collections -> (corpus.jsonl, queries, qrels) in the shapes `loupe` and pytrec_eval want.

Every id (doc, query) is a string. Nothing here needs anything outside the standard library.

Cranfield (SMART files, see shared/corpora/cranfield/README.md):
  * doc id = the `.I` number of cran.all.1400 ("1".."1400"); title = `.T`, text = `.W`
    (`.A` authors and `.B` bibliographic reference are not indexed);
  * query id = the *position* of the query in cran.qry ("1".."225"), NOT its `.I` number
    (001, 002, 004, 008, ... 365): the qrels number the queries sequentially;
  * qrels from `cranqrel` (Cleverdon's scale 1 = complete answer .. 4 = minimal interest):
    gain = 5 - grade (1 -> 4, 2 -> 3, 3 -> 2, 4 -> 1); the 225 rows with grade -1 (one per
    query, undocumented) are dropped. `qrels_mode` selects the alternatives (see below).

SciFact (BEIR layout): corpus.jsonl as is (title + text), queries.train.jsonl, qrels/train.tsv
(binary). Only the train split is in the shared folder (test is held out on purpose).
"""

import json
import os
import re

_WS = re.compile(r"\s+")


def _clean(text):
    """One line of text: tabs/newlines/CR collapsed to single spaces (safe for TSV and JSONL)."""
    return _WS.sub(" ", text).strip()


# ---------------------------------------------------------------- SMART format (Cranfield)

def parse_smart(path):
    """Yield (id, {field letter: text}) from a SMART file (`.I n` starts a record, `.X` a field).

    Handles CRLF and LF; field text lines are joined with spaces."""
    rec_id = None
    fields = {}
    cur = None
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if line.startswith(".I"):
                if rec_id is not None:
                    yield rec_id, {k: _clean(" ".join(v)) for k, v in fields.items()}
                rec_id = line[2:].strip()
                fields = {}
                cur = None
            elif len(line) == 2 and line[0] == "." and line[1].isalpha():
                cur = line[1]
                fields.setdefault(cur, [])
            elif cur is not None:
                fields[cur].append(line)
    if rec_id is not None:
        yield rec_id, {k: _clean(" ".join(v)) for k, v in fields.items()}


CRANFIELD_QRELS_MODES = {
    # name: (description, mapping grade -> gain or None to drop)
    "graded": ("cranqrel grades 1-4 as gain 5-grade (4,3,2,1); grade -1 rows dropped",
               {1: 4, 2: 3, 3: 2, 4: 1}),
    "binary": ("cranqrel grades 1-4 as gain 1; grade -1 rows dropped",
               {1: 1, 2: 1, 3: 1, 4: 1}),
    "trec-corrected": ("QRelsCorrectedforTRECeval as is: 1-4 -> 4..1 and -1 -> 5 (the highest gain)",
                       {1: 4, 2: 3, 3: 2, 4: 1, -1: 5}),
}


class Collection:
    name = ""
    label = ""

    def __init__(self, root):
        self.root = root

    def exists(self):
        return all(os.path.isfile(os.path.join(self.root, f)) for f in self.required_files)

    def write_corpus(self, path):
        """Write corpus.jsonl; return the number of docs written."""
        n = 0
        with open(path, "w", encoding="utf-8") as out:
            for doc_id, title, text in self.docs():
                out.write(json.dumps({"_id": doc_id, "title": title, "text": text}, ensure_ascii=False))
                out.write("\n")
                n += 1
        return n


class Cranfield(Collection):
    name = "cranfield"
    label = "Cranfield"
    required_files = ("cran.all.1400", "cran.qry", "cranqrel")

    def __init__(self, root, qrels_mode="graded"):
        super().__init__(root)
        if qrels_mode not in CRANFIELD_QRELS_MODES:
            raise ValueError("unknown Cranfield qrels mode %r" % qrels_mode)
        self.qrels_mode = qrels_mode

    def docs(self):
        for doc_id, f in parse_smart(os.path.join(self.root, "cran.all.1400")):
            yield doc_id, f.get("T", ""), f.get("W", "")

    def queries(self):
        """[(qid, text)] with qid = sequential position "1".."225" (the qrels' numbering)."""
        out = []
        for i, (_smart_id, f) in enumerate(parse_smart(os.path.join(self.root, "cran.qry")), start=1):
            out.append((str(i), f.get("W", "")))
        return out

    def qrels(self):
        mapping = CRANFIELD_QRELS_MODES[self.qrels_mode][1]
        qrels = {}
        if self.qrels_mode == "trec-corrected":
            # TREC format "qid 0 docid grade" with grades already inverted (5 = the old -1).
            path = os.path.join(self.root, "QRelsCorrectedforTRECeval")
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 4:
                        qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
            return qrels
        with open(os.path.join(self.root, "cranqrel"), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) != 3:
                    continue
                gain = mapping.get(int(parts[2]))
                if gain is None:
                    continue
                qrels.setdefault(parts[0], {})[parts[1]] = gain
        return qrels

    def qrels_note(self):
        return CRANFIELD_QRELS_MODES[self.qrels_mode][0]


class SciFact(Collection):
    name = "scifact"
    label = "SciFact (train)"
    required_files = ("corpus.jsonl", "queries.train.jsonl", os.path.join("qrels", "train.tsv"))

    def docs(self):
        with open(os.path.join(self.root, "corpus.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                yield str(d["_id"]), _clean(d.get("title") or ""), _clean(d.get("text") or "")

    def queries(self):
        out = []
        with open(os.path.join(self.root, "queries.train.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    q = json.loads(line)
                    out.append((str(q["_id"]), q.get("text") or ""))
        return out

    def qrels(self):
        qrels = {}
        with open(os.path.join(self.root, "qrels", "train.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\r\n").split("\t")
                if len(parts) != 3 or parts[0] == "query-id":
                    continue
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
        return qrels

    def qrels_note(self):
        return "qrels/train.tsv, binary (all score 1)"


COLLECTIONS = {"cranfield": ("cranfield", Cranfield), "scifact": ("scifact", SciFact)}


def open_collection(name, corpora_dir, **kw):
    sub, cls = COLLECTIONS[name]
    if cls is Cranfield:
        return cls(os.path.join(corpora_dir, sub), **kw)
    return cls(os.path.join(corpora_dir, sub))
