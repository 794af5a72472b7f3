import csv
import json
import random

import pytest
from django.core.management import CommandError, call_command

from dispatch.corpus import read_labelled_csv

TOPICS = {
    "群租": ["群租", "隔断", "二房东", "出租", "陌生人"],
    "油烟": ["油烟", "饭店", "排烟", "烧烤", "熏"],
    "噪音": ["噪音", "施工", "夜间", "吵闹", "装修"],
}
FILLER = ["市民反映", "要求处理", "小区", "楼下", "每天", "多次", "居民", "情况"]


def _rows(n: int, seed: int, long: bool = False) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = list(TOPICS)[i % 3]
        words = rng.choices(TOPICS[label], k=3) + rng.choices(FILLER, k=4)
        rng.shuffle(words)
        text = ",".join(words)
        if long:
            text = (text + "。" + "".join(rng.choices(FILLER, k=40))) * 30
        rows.append((text, label))
    return rows


def _write(path, rows, *, encoding="utf-8", columns=("text", "label")):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)
    return str(path)


def _run(capsys, *args) -> dict:
    call_command("evaluate_classifier", *args)
    lines = capsys.readouterr().out.strip().splitlines()
    return json.loads(lines[-1])


def test_it_prints_the_json_line_last(tmp_path, capsys):
    train = _write(tmp_path / "train.csv", _rows(300, 1))
    test = _write(tmp_path / "test.csv", _rows(90, 2))
    result = _run(capsys, "--train", train, "--test", test)
    assert set(result) >= {"macro_f1", "accuracy", "train_seconds", "predict_per_second"}
    assert result["macro_f1"] > 0.9
    assert result["n_train"] == 300 and result["n_test"] == 90


def test_it_reads_utf8_with_bom_and_gb18030_and_named_columns(tmp_path, capsys):
    train = _write(tmp_path / "train.csv", _rows(150, 3), encoding="utf-8-sig", columns=("内容", "类别"))
    test = _write(tmp_path / "test.csv", _rows(60, 4), encoding="gb18030", columns=("内容", "类别"))
    result = _run(capsys, "--train", train, "--test", test, "--text-col", "内容", "--label-col", "类别")
    assert result["n_test"] == 60
    assert result["macro_f1"] > 0.9


def test_it_handles_long_texts_and_many_rows(tmp_path, capsys):
    rows = _rows(10_000, 5)
    rows[:50] = _rows(50, 6, long=True)  # several thousand characters each
    assert len(rows[0][0]) > 3000
    train = _write(tmp_path / "train.csv", rows)
    test = _write(tmp_path / "test.csv", _rows(500, 7))
    result = _run(capsys, "--train", train, "--test", test)
    assert result["n_train"] == 10_000
    assert result["macro_f1"] > 0.9


def test_a_wrong_column_is_a_clear_error(tmp_path):
    train = _write(tmp_path / "train.csv", _rows(30, 1))
    with pytest.raises(CommandError, match="没有列 content.*text、label"):
        call_command("evaluate_classifier", "--train", train, "--test", train, "--text-col", "content")


def test_an_empty_file_is_a_clear_error(tmp_path):
    train = _write(tmp_path / "train.csv", _rows(30, 1))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="文件为空"):
        call_command("evaluate_classifier", "--train", train, "--test", str(empty))


def test_a_header_without_rows_is_a_clear_error(tmp_path):
    train = _write(tmp_path / "train.csv", _rows(30, 1))
    header_only = _write(tmp_path / "header.csv", [])
    with pytest.raises(CommandError, match="没有同时含文本和标签的数据行"):
        call_command("evaluate_classifier", "--train", train, "--test", header_only)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("evaluate_classifier", "--train", str(tmp_path / "nope.csv"), "--test", str(tmp_path / "x.csv"))


def test_a_single_label_training_set_is_refused(tmp_path):
    rows = [(t, "群租") for t, _ in _rows(30, 1)]
    train = _write(tmp_path / "train.csv", rows)
    with pytest.raises(CommandError, match="至少需要两个不同的类别"):
        call_command("evaluate_classifier", "--train", train, "--test", train)


def test_tab_separated_exports_are_read(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("text\tlabel\n楼上群租,隔断\t群租\n饭店油烟很大\t油烟\n", encoding="utf-8")
    assert read_labelled_csv(path) == (["楼上群租,隔断", "饭店油烟很大"], ["群租", "油烟"])


def test_undecodable_bytes_are_a_clear_error(tmp_path):
    from core.errors import ValidationFailed

    path = tmp_path / "bin.csv"
    path.write_bytes(b"text,label\n\xff\xfe\x81\x30\xff\xff,x\n")
    with pytest.raises(ValidationFailed, match="编码无法识别"):
        read_labelled_csv(path)
