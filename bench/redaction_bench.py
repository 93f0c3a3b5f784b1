"""Redaction quality and speed on the independent set (tests/data/redaction_independent_*.jsonl) or any other.

The set was written blind (without seeing the redactor). It is split once, by a fixed seed, into a
tuning half and a test half (``tests/data/redaction_independent_split.json``; ``--write-split``
recreates it). The test half was held out for the first rounds of rules; since then every miss of both
halves has been read and rules were written for them, so BOTH HALVES ARE DEVELOPMENT DATA now and their
numbers are no held-out measurement. A fresh set written by someone else is measured with
``--secrets FILE --ordinary FILE`` (the same JSON-lines format, measured whole, no split).

Printed per half:
- recall of secrets: share of listed secrets that no longer appear in the redacted text (compared
  case-insensitively; secrets holding digits also with all spaces removed);
- keep loss: share of utterances with personal data that lost a word that must survive;
- false-redaction rate: share of ordinary service questions that the redactor changed at all;
- ordinary keep loss: share of ordinary questions that lost a word that must survive;
- milliseconds per utterance (the first, colder pass); ``--passes N`` adds the best of N more passes over
  the same utterances, the redactors alternating pass by pass so that load on the machine hits both alike.

    PYTHONPATH=. python bench/redaction_bench.py [--show-misses tune|test|both] [--baseline REV]
    PYTHONPATH=. python bench/redaction_bench.py --secrets FRESH_SECRETS.jsonl --ordinary FRESH_ORDINARY.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path
from typing import Any

from assistant.privacy.redaction import GermanRedactor, Redactor

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SECRETS_FILE = DATA / "redaction_independent_secrets.jsonl"
ORDINARY_FILE = DATA / "redaction_independent_ordinary.jsonl"
SPLIT_FILE = DATA / "redaction_independent_split.json"
SEED = 20261127


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_split() -> dict[str, Any]:
    """Line numbers (1-based) of each half, shuffled once with ``SEED``; the first half tunes."""
    split: dict[str, Any] = {"seed": SEED}
    for name, path in (("secrets", SECRETS_FILE), ("ordinary", ORDINARY_FILE)):
        lines = list(range(1, len(load(path)) + 1))
        random.Random(f"{SEED}-{name}").shuffle(lines)
        half = len(lines) // 2
        split[name] = {"tune": sorted(lines[:half]), "test": sorted(lines[half:])}
    return split


def half(name: str, which: str) -> list[dict[str, Any]]:
    split = json.loads(SPLIT_FILE.read_text())
    rows = load(SECRETS_FILE if name == "secrets" else ORDINARY_FILE)
    return [rows[n - 1] for n in split[name][which]]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def survived(secret: str, redacted: str) -> bool:
    if secret.lower() in redacted.lower():
        return True
    return any(c.isdigit() for c in secret) and _squash(secret) in _squash(redacted)


def measure(redactor: Redactor, which: str, show_misses: bool = False) -> dict[str, float]:
    return measure_rows(redactor, half("secrets", which), half("ordinary", which), show_misses)


# Kinds a writer labeled that issue 12 does not name (names, addresses, e-mail, plates, ID, health
# insurance and tax numbers, birth dates, IBAN, phone, customer numbers): an age, a health condition,
# anything else ("other"), and utterances labeled as a whole ("mixed"). The redactor removes an age and
# some "other" data only next to an identified person (docs/privacy.md).
NOT_ISSUE_KINDS = frozenset({"other", "age", "health", "mixed"})


def recall_by_kind(redactor: Redactor, secret_rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Secrets caught and listed per kind, for rows whose ``kinds`` label each secret in order."""
    counts: dict[str, list[int]] = {}
    for row in secret_rows:
        kinds = row.get("kinds")
        if not isinstance(kinds, list) or len(kinds) != len(row["secrets"]):
            continue
        redacted = redactor.redact(row["text"])
        for secret, kind in zip(row["secrets"], kinds, strict=True):
            caught_total = counts.setdefault(kind, [0, 0])
            caught_total[0] += not survived(secret, redacted)
            caught_total[1] += 1
    return {kind: (caught, total) for kind, (caught, total) in sorted(counts.items())}


def measure_rows(
    redactor: Redactor, secret_rows: list[dict[str, Any]], ordinary_rows: list[dict[str, Any]], show_misses: bool
) -> dict[str, float]:
    started = time.perf_counter()
    total = caught = keep_lost = 0
    for row in secret_rows:
        redacted = redactor.redact(row["text"])
        for secret in row["secrets"]:
            total += 1
            if survived(secret, redacted):
                if show_misses:
                    print(f"  MISS {row.get('kinds')} {secret!r}: {redacted}")
            else:
                caught += 1
        lost = [k for k in row["keep"] if k not in redacted]
        keep_lost += bool(lost)
        if lost and show_misses:
            print(f"  LOST {lost}: {redacted}")
    changed = ordinary_keep_lost = 0
    for row in ordinary_rows:
        redacted = redactor.redact(row["text"])
        if redacted != row["text"]:
            changed += 1
            if show_misses:
                print(f"  FALSE {redacted}")
        ordinary_keep_lost += any(k not in redacted for k in row["keep"])
    elapsed = time.perf_counter() - started
    return {
        "utterances with secrets": len(secret_rows),
        "secrets": total,
        "recall of secrets": caught / total,
        "keep loss (secret utterances)": keep_lost / len(secret_rows),
        "ordinary questions": len(ordinary_rows),
        "false-redaction rate": changed / len(ordinary_rows),
        "keep loss (ordinary)": ordinary_keep_lost / len(ordinary_rows),
        "ms per utterance": 1000 * elapsed / (len(secret_rows) + len(ordinary_rows)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-split", action="store_true", help="(re)write the split file and stop")
    parser.add_argument("--show-misses", choices=["tune", "test", "both"], help="print what was missed on that half")
    parser.add_argument("--secrets", type=Path, help="measure this file of utterances with secrets instead")
    parser.add_argument("--ordinary", type=Path, help="measure this file of ordinary questions instead")
    parser.add_argument("--baseline", metavar="REV", help="also measure the redactor of this git revision")
    parser.add_argument("--passes", type=int, default=0, help="also time N more passes, best of N (default 0)")
    parser.add_argument(
        "--lines",
        choices=["even", "odd"],
        help="with --secrets/--ordinary: only the lines of that 0-based index parity (a fixed half of a set)",
    )
    args = parser.parse_args()
    if args.write_split:
        SPLIT_FILE.write_text(json.dumps(make_split(), indent=1) + "\n")
        print(f"wrote {SPLIT_FILE}")
        return
    redactors: dict[str, Redactor] = {"now": GermanRedactor()}
    if args.baseline:
        redactors[args.baseline] = baseline_redactor(args.baseline)
    if args.secrets or args.ordinary:
        if not (args.secrets and args.ordinary):
            parser.error("--secrets and --ordinary go together")
        measure_files(redactors, args.secrets, args.ordinary, args.show_misses is not None, args.lines)
        texts = [row["text"] for path in (args.secrets, args.ordinary) for row in load_lines(path, args.lines)]
    else:
        texts = [row["text"] for path in (SECRETS_FILE, ORDINARY_FILE) for row in load(path)]
        measure_halves(redactors, args.show_misses)
    if args.passes > 0:
        print(f"\nms per utterance, best of {args.passes} passes over {len(texts)} utterances (alternating):")
        for label, best in best_pass_times(redactors, texts, args.passes).items():
            print(f"{label:32} {best:8.3f}")


def best_pass_times(redactors: dict[str, Redactor], texts: list[str], passes: int) -> dict[str, float]:
    best = dict.fromkeys(redactors, float("inf"))
    for _ in range(passes):
        for label, redactor in redactors.items():
            started = time.perf_counter()
            for text in texts:
                redactor.redact(text)
            best[label] = min(best[label], 1000 * (time.perf_counter() - started) / len(texts))
    return best


def measure_halves(redactors: dict[str, Redactor], show_misses: str | None) -> None:
    """Measure both halves of the independent set with every redactor."""
    print(f"independent set, split seed {SEED} ({SPLIT_FILE.name}); both halves are development data now")
    for label, redactor in redactors.items():
        results = {which: measure(redactor, which, show_misses in (which, "both")) for which in ("tune", "test")}
        print(f"\nredactor: {label}")
        print(f"{'':32} {'tune':>8} {'test':>8}")
        for key in results["test"]:
            tune, test = results["tune"][key], results["test"][key]
            fmt = "{:8.0f}" if key in ("secrets", "utterances with secrets", "ordinary questions") else "{:8.3f}"
            print(f"{key:32} {fmt.format(tune)} {fmt.format(test)}")


def load_lines(path: Path, parity: str | None) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file, or only those whose 0-based line index is even or odd."""
    rows = load(path)
    return rows if parity is None else rows[(parity == "odd") :: 2]


def measure_files(
    redactors: dict[str, Redactor], secrets: Path, ordinary: Path, show_misses: bool, parity: str | None = None
) -> None:
    """Measure two files (a fresh held-out set, or one parity half of it) with every redactor, one column each."""
    secret_rows = [row for row in load_lines(secrets, parity) if row.get("secrets")]
    ordinary_rows = [row for row in load_lines(ordinary, parity) if not row.get("secrets")]
    results = {label: measure_rows(r, secret_rows, ordinary_rows, show_misses) for label, r in redactors.items()}
    which = "whole files, no split" if parity is None else f"lines with {parity} 0-based index only"
    print(f"secrets: {secrets}, ordinary: {ordinary} ({which})")
    print(f"{'':32} " + " ".join(f"{label:>8}" for label in results))
    for key in next(iter(results.values())):
        fmt = "{:8.0f}" if key in ("secrets", "utterances with secrets", "ordinary questions") else "{:8.3f}"
        print(f"{key:32} " + " ".join(fmt.format(r[key]) for r in results.values()))
    for label, redactor in redactors.items():
        by_kind = recall_by_kind(redactor, secret_rows)
        if by_kind:
            print(f"recall by kind ({label}): " + ", ".join(f"{k} {c}/{t}" for k, (c, t) in by_kind.items()))
            named = [(c, t) for k, (c, t) in by_kind.items() if k not in NOT_ISSUE_KINDS]
            caught, total = sum(c for c, _ in named), sum(t for _, t in named)
            if total:
                print(f"recall of the issue's kinds ({label}): {caught / total:.3f} ({caught}/{total})")


def baseline_redactor(revision: str) -> Redactor:
    """The ``GermanRedactor`` of ``assistant/privacy/redaction.py`` at a git revision, with that revision's
    first-name gazetteer (``assistant/privacy/names.py``); the other name lists are today's."""
    import subprocess
    import sys
    import types

    def load_module(path: str, name: str) -> types.ModuleType:
        source = subprocess.run(
            ["git", "show", f"{revision}:{path}"], capture_output=True, text=True, check=True, cwd=DATA.parent.parent
        ).stdout
        module = types.ModuleType(name)
        sys.modules[name] = module
        exec(compile(source, f"{revision}:{path}", "exec"), module.__dict__)
        return module

    names_key = "assistant.privacy.names"
    current_names = sys.modules.get(names_key)
    sys.modules[names_key] = load_module("assistant/privacy/names.py", "baseline_names")
    try:
        module = load_module("assistant/privacy/redaction.py", "baseline_redaction")
        redactor: Redactor = module.GermanRedactor()
    finally:
        if current_names is not None:
            sys.modules[names_key] = current_names
    return redactor


if __name__ == "__main__":
    main()
