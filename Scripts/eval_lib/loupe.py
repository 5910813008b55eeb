"""Driving the `loupe` binary: build, read its --help, index, run batch queries as TREC runs."""

import json
import os
import re
import shutil
import subprocess
import sys
import time


class LoupeError(RuntimeError):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- build

def build_release(repo_root, scratch_path, dest_dir, attempts=3, wait_s=30):
    """`swift build -c release` in its own scratch path; copy the binary to dest_dir (so a later
    rebuild by someone else cannot swap it in the middle of a run). Returns the copy's path.

    A build that fails because a source file changed while it compiled (someone is editing) is
    retried after `wait_s` seconds, up to `attempts` times; any other failure is final."""
    cmd = ["swift", "build", "-c", "release", "--product", "loupe", "--scratch-path", scratch_path]
    for attempt in range(1, attempts + 1):
        log("building: %s" % " ".join(cmd))
        t = time.time()
        p = subprocess.run(cmd, cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode == 0:
            log("built in %.0f s" % (time.time() - t))
            break
        transient = "modified during the build" in p.stdout
        if not transient or attempt == attempts:
            tail = "\n".join(p.stdout.splitlines()[-30:])
            raise LoupeError("swift build failed (exit %d):\n%s" % (p.returncode, tail))
        log("build hit a source file being edited; retrying in %d s (attempt %d/%d)" % (wait_s, attempt, attempts))
        time.sleep(wait_s)
    p = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch_path, "--show-bin-path"],
                       cwd=repo_root,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    built = os.path.join(p.stdout.strip(), "loupe")
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, "loupe")
    tmp = dest + ".tmp"
    shutil.copy2(built, tmp)
    os.replace(tmp, dest)
    return dest


# ---------------------------------------------------------------- --help introspection

_OPT = re.compile(r"^\s{2}(--[a-z0-9-]+(?:/--[a-z0-9-]+)?)(?:,\s*-\w)?(?:\s+<([a-z0-9-]+)>)?", re.M)
_OPT_SHORT = re.compile(r"^\s{2}-\w,\s*(--[a-z0-9-]+)(?:\s+<([a-z0-9-]+)>)?", re.M)


class Option:
    def __init__(self, name, value, text):
        self.name = name          # "--k1", or "--proximity/--no-proximity"
        self.value = value        # None for a flag
        self.text = text          # the help paragraph (description, default, values)

    @property
    def flags(self):
        return self.name.split("/")

    def default(self):
        m = re.search(r"[(;]\s*default:\s*([^)]*)\)", self.text)
        return m.group(1).strip() if m else None

    def values(self):
        m = re.search(r"\(values:\s*([^;)]*)", self.text)
        return [v.strip() for v in m.group(1).split(",")] if m else None

    def __repr__(self):
        return "Option(%s%s)" % (self.name, " <%s>" % self.value if self.value else "")


def parse_help(text):
    """{primary flag: Option} from swift-argument-parser help text: every section after USAGE
    (OPTIONS:, and option groups with their own title such as RANKING:)."""
    opts = {}
    sec = text.split("USAGE:", 1)
    body = sec[1] if len(sec) > 1 else text
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _OPT_SHORT.match(line) or _OPT.match(line)
        if m:
            name, value = m.group(1), m.group(2)
            para = [line]
            j = i + 1
            while j < len(lines) and lines[j].strip() and not (_OPT_SHORT.match(lines[j]) or _OPT.match(lines[j])):
                para.append(lines[j])
                j += 1
            o = Option(name, value, " ".join(s.strip() for s in para))
            opts[o.flags[0]] = o
            i = j
        else:
            i += 1
    return opts


class Loupe:
    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        if not os.access(self.binary, os.X_OK):
            raise LoupeError("not an executable: %s" % self.binary)
        self.find_opts = parse_help(self._run(["find", "--help"]).stdout)
        self.index_opts = parse_help(self._run(["index", "--help"]).stdout)
        if "--batch" not in self.find_opts or "--format" not in self.find_opts:
            raise LoupeError("%s: `find --help` shows no --batch/--format (too old?)" % self.binary)

    def _run(self, args, check=True, **kw):
        p = subprocess.run([self.binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
        if check and p.returncode not in (0,):
            raise LoupeError("loupe %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr.strip()[-3000:]))
        return p

    def version(self):
        p = self._run(["--version"], check=False)
        return (p.stdout or p.stderr).strip()

    def find_default(self, flag):
        o = self.find_opts.get(flag)
        return o.default() if o else None

    def explained_bm25(self, index_dir, word):
        """(k1, b) that `find` applies without ranking flags, read from --explain (None if not found)."""
        p = self._run(["find", "--index", index_dir, "--plain", "--explain", "--limit", "1", "--color", "never", word],
                      check=False)
        k1 = re.search(r"([0-9.]+) = k1\b", p.stdout)
        b = re.search(r"([0-9.]+) = b\b", p.stdout)
        return (k1.group(1) if k1 else None, b.group(1) if b else None)

    def index(self, corpus_dir, index_dir, analyzer=None, extra=()):
        args = ["index", corpus_dir, "--index", index_dir, "--rebuild", "--json"]
        if analyzer:
            args += ["--analyzer", analyzer]
        args += list(extra)
        t = time.time()
        p = self._run(args, check=False)
        if p.returncode != 0:
            raise LoupeError("loupe %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr.strip()[-3000:]))
        try:
            summary = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            summary = {}
        summary["_elapsed"] = time.time() - t
        return summary

    def run_batch(self, queries_file, index_dir, run_tag, extra=(), limit=1000):
        """Run a batch of queries; return ({qid: {docid: score}}, [error lines], elapsed seconds).

        Exit 1 (no query had a hit) is not an error; exit 2 is reported by loupe when a query
        failed (e.g. empty after analysis) while the others still ran, so its stderr lines are
        returned as warnings as long as a TREC run came out."""
        args = ["find", "--batch", queries_file, "--index", index_dir, "--format", "trec",
                "--run-tag", run_tag, "--plain", "--limit", str(limit)] + list(extra)
        t = time.time()
        p = self._run(args, check=False)
        elapsed = time.time() - t
        run = {}
        for line in p.stdout.splitlines():
            parts = line.split()
            if len(parts) < 6:
                continue
            # qid Q0 docid rank score tag (a docid with spaces would keep them)
            qid, docid, score = parts[0], " ".join(parts[2:-3]), parts[-2]
            try:
                run.setdefault(qid, {})[docid] = float(score)
            except ValueError:
                raise LoupeError("unreadable TREC line from loupe: %r" % line)
        errors = [l for l in p.stderr.splitlines() if l.strip() and not re.match(r"^\d+ matching", l)]
        if p.returncode not in (0, 1) and not run:
            raise LoupeError("loupe %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr.strip()[-3000:]))
        return run, (errors if p.returncode not in (0, 1) else []), elapsed
