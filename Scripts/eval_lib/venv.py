"""The evaluation's own virtualenv: ${EVAL_WORK:-/tmp/loupe-eval}/venv with pytrec-eval-terrier.

Created on first use; pip runs only when `import pytrec_eval` fails in it. The entry script then
re-executes itself with the venv's python (so nothing is installed into the system python)."""

import os
import subprocess
import sys

PACKAGE = "pytrec-eval-terrier"
_MARK = "LOUPE_EVAL_IN_VENV"


def _has_pytrec(python):
    return subprocess.run([python, "-c", "import pytrec_eval"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def ensure_venv_and_reexec(work):
    venv = os.path.join(work, "venv")
    py = os.path.join(venv, "bin", "python")
    inside = os.path.realpath(sys.prefix) == os.path.realpath(venv)
    if inside:
        try:
            import pytrec_eval  # noqa: F401
            return
        except ImportError:
            pass
    if not os.path.exists(py):
        os.makedirs(work, exist_ok=True)
        print("creating %s" % venv, file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, "-m", "venv", venv])
        if r.returncode != 0:
            sys.exit("error: `%s -m venv %s` failed (on Debian: apt-get install python3-venv)" % (sys.executable, venv))
    if not _has_pytrec(py):
        print("installing %s into %s" % (PACKAGE, venv), file=sys.stderr, flush=True)
        r = subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PACKAGE])
        if r.returncode != 0 or not _has_pytrec(py):
            sys.exit("error: could not install %s into %s" % (PACKAGE, venv))
    if inside or os.environ.get(_MARK) == "1":
        import importlib
        importlib.invalidate_caches()
        # Still here: the running interpreter is not the venv's although we re-executed; give up loudly.
        if not inside:
            sys.exit("error: re-executed into %s but sys.prefix is %s" % (venv, sys.prefix))
        return
    entry = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "eval")
    env = dict(os.environ)
    env[_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(py, [py, entry] + sys.argv[1:], env)
