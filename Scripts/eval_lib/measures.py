"""trec_eval measures through pytrec_eval (pytrec-eval-terrier).

Semantics are trec_eval's: documents of a run are ordered by score (descending; ties broken by
docid descending, as trec_eval does, whatever rank Loupe printed); nDCG uses the qrels grade
as a linear gain (trec_eval's ndcg_cut, not the 2^g - 1 variant); MAP over the whole run
(up to --limit 1000 docs); recall@k = relevant retrieved in the top k / all relevant.

Averaging: over every query with at least one relevant judgement, a query that returned
nothing counting 0 (trec_eval -c). pytrec_eval alone would silently leave such queries out.
"""

MEASURES = {
    # our name: pytrec_eval key
    "ndcg@10": "ndcg_cut_10",
    "map": "map",
    "recall@100": "recall_100",
    "recall@1000": "recall_1000",
}
_PYTREC_MEASURES = {"ndcg_cut.10", "map", "recall.100", "recall.1000"}


def evaluate(qrels, run):
    """Return ({measure: mean}, {qid: {measure: value}}, info)."""
    import pytrec_eval  # from the venv

    judged = {q: d for q, d in qrels.items() if any(g > 0 for g in d.values())}
    evaluator = pytrec_eval.RelevanceEvaluator(judged, _PYTREC_MEASURES)
    present = {q: docs for q, docs in run.items() if q in judged and docs}
    per_query_raw = evaluator.evaluate(present) if present else {}
    per_query = {}
    for q in judged:
        r = per_query_raw.get(q)
        per_query[q] = {m: (r[k] if r else 0.0) for m, k in MEASURES.items()}
    n = len(per_query)
    means = {m: (sum(v[m] for v in per_query.values()) / n if n else 0.0) for m in MEASURES}
    info = {
        "queries": n,
        "queries_without_hits": sorted(q for q in judged if q not in present),
        "run_qids_not_judged": sorted(q for q in run if q not in judged),
    }
    return means, per_query, info
