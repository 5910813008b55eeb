#!/usr/bin/env python3
"""Write a large synthetic RSS 2.0 feed (for memory and throughput checks of streaming ingest).

  Scripts/make-big-feed.py OUT.xml [SIZE_MB]   # default 1024 MB

Items have distinct GUIDs and pseudo-random text from a generated vocabulary (Zipf-like word
frequencies), so the index has a realistic number of distinct terms. Deterministic (seeded).
"""
import random
import sys


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) * 1_000_000 if len(sys.argv) > 2 else 1024 * 1_000_000
    rnd = random.Random(7)
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    vocab = []
    for i in range(200_000):
        n = 2 + int(rnd.expovariate(0.25))
        vocab.append("".join(rnd.choice(letters[: 10 + i % 16]) for _ in range(min(n, 14))))
    import itertools
    cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(vocab))))
    written = 0
    item = 0
    with open(out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>big</title>\n')
        while written < size:
            words = rnd.choices(vocab, cum_weights=cum, k=300)
            title = " ".join(words[:8])
            body = " ".join(words[8:])
            s = ("<item><title>%s</title><guid>big-%d</guid><pubDate>Mon, 02 Jul 2007 10:00:00 GMT</pubDate>"
                 "<description>%s</description></item>\n" % (title, item, body))
            f.write(s)
            written += len(s)
            item += 1
        f.write("</channel></rss>\n")
    print("%d items, %d bytes" % (item, written))


if __name__ == "__main__":
    main()
