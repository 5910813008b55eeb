"""Unit tests of the evaluation helpers (standard library only; no loupe, no corpora needed).

    python3 -m unittest discover -s Scripts/eval_lib -t Scripts
"""

import json
import os
import tempfile
import unittest

from eval_lib import corpora
from eval_lib.loupe import parse_help
from eval_lib.main import Config, stop_query


def write(path, text, crlf=False):
    with open(path, "w", newline="") as f:
        f.write(text.replace("\n", "\r\n") if crlf else text)


class CranfieldTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        write(os.path.join(d, "cran.all.1400"),
              ".I 1\n.T\nwing in a\nslipstream .\n.A\nsmith\n.B\nj. 1\n.W\nwing in a\nslipstream .\n  lift .\n"
              ".I 2\n.T\n.A\n.B\n.W\n"
              ".I 3\n.T\nshear flow .\n.W\nshear flow past a plate .\n")
        # Gaps in the .I numbers, CRLF line ends, as in the real cran.qry.
        write(os.path.join(d, "cran.qry"), ".I 001\n.W\nwing\nlift .\n.I 004\n.W\nshear flow .\n", crlf=True)
        write(os.path.join(d, "cranqrel"), "1 1 2 \n1 3 4 \n1 2 -1 \n2 3 1 \n")
        write(os.path.join(d, "QRelsCorrectedforTRECeval"), "1 0 1 3\n1 0 3 1\n1 0 2 5\n2 0 3 4\n", crlf=True)
        self.d = d

    def tearDown(self):
        self.tmp.cleanup()

    def test_docs(self):
        docs = list(corpora.Cranfield(self.d).docs())
        self.assertEqual([x[0] for x in docs], ["1", "2", "3"])
        self.assertEqual(docs[0][1], "wing in a slipstream .")
        self.assertEqual(docs[0][2], "wing in a slipstream . lift .")
        self.assertEqual(docs[1][1:], ("", ""))

    def test_query_ids_are_positions(self):
        q = corpora.Cranfield(self.d).queries()
        self.assertEqual(q, [("1", "wing lift ."), ("2", "shear flow .")])

    def test_qrels_modes(self):
        self.assertEqual(corpora.Cranfield(self.d).qrels(), {"1": {"1": 3, "3": 1}, "2": {"3": 4}})
        self.assertEqual(corpora.Cranfield(self.d, "binary").qrels(), {"1": {"1": 1, "3": 1}, "2": {"3": 1}})
        self.assertEqual(corpora.Cranfield(self.d, "trec-corrected").qrels(),
                         {"1": {"1": 3, "3": 1, "2": 5}, "2": {"3": 4}})

    def test_corpus_jsonl(self):
        out = os.path.join(self.d, "c.jsonl")
        self.assertEqual(corpora.Cranfield(self.d).write_corpus(out), 3)
        with open(out) as f:
            rows = [json.loads(l) for l in f]
        self.assertEqual(rows[2], {"_id": "3", "title": "shear flow .", "text": "shear flow past a plate ."})


class SciFactTests(unittest.TestCase):
    def test_read(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "qrels"))
            write(os.path.join(d, "corpus.jsonl"),
                  '{"_id": "4983", "title": "T\\tx", "text": "a\\nb", "metadata": {}}\n\n')
            write(os.path.join(d, "queries.train.jsonl"), '{"_id": "0", "text": "claim", "metadata": {}}\n')
            write(os.path.join(d, "qrels", "train.tsv"), "query-id\tcorpus-id\tscore\n0\t4983\t1\n")
            s = corpora.SciFact(d)
            self.assertTrue(s.exists())
            self.assertEqual(list(s.docs()), [("4983", "T x", "a b")])
            self.assertEqual(s.queries(), [("0", "claim")])
            self.assertEqual(s.qrels(), {"0": {"4983": 1}})


class HelpAndConfigTests(unittest.TestCase):
    HELP = """USAGE: loupe find [<options>] [<query>]

OPTIONS:
  --index <index>         Index directory (default: $LOUPE_INDEX, else
                          ./.loupe).
  -l, --limit <limit>     Number of hits to print. (default: 10)
  --k1 <k1>               BM25 k1. (default: 1.2)
  --b <b>                 BM25 b. (default: 0.75)
  --plain                 Treat every query as plain words.
  --proximity/--no-proximity
                          Score consecutive query words that occur close
                          together higher. (default: --proximity)
  --analyzer <analyzer>   Analyzer: english or plain. (values: english, plain; default: english)
  -h, --help              Show help information.
"""

    def test_parse_help(self):
        o = parse_help(self.HELP)
        self.assertEqual(o["--k1"].default(), "1.2")
        self.assertEqual(o["--limit"].value, "limit")
        self.assertIsNone(o["--plain"].value)
        self.assertEqual(o["--proximity"].flags, ["--proximity", "--no-proximity"])
        self.assertEqual(o["--proximity"].default(), "--proximity")
        self.assertEqual(o["--analyzer"].values(), ["english", "plain"])
        self.assertEqual(o["--analyzer"].default(), "english")

    def test_defaults_share_a_run(self):
        Config.defaults_find = {"--k1": "1.2", "--b": "0.75", "--proximity": "--proximity"}
        Config.defaults_index = {"--analyzer": "english"}
        base = Config("d", "d").run_key
        self.assertEqual(Config("x", "x", find_args=("--k1", "1.20", "--b", "0.75")).run_key, base)
        self.assertEqual(Config("x", "x", find_args=("--proximity",)).run_key, base)
        self.assertEqual(Config("x", "x", analyzer="english").run_key, base)
        self.assertNotEqual(Config("x", "x", find_args=("--no-proximity",)).run_key, base)
        self.assertNotEqual(Config("x", "x", analyzer="plain").run_key, base)
        self.assertNotEqual(Config("x", "x", transform="stop33").run_key, base)

    def test_stop_query(self):
        self.assertEqual(stop_query("What is the effect of Iran's oil on the 1-1% rate?"),
                         "What effect Iran's oil 1 1 rate")


if __name__ == "__main__":
    unittest.main()
