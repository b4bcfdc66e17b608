"""training/runs.py (no TensorFlow): the one best-model rule, the run merge, atomic JSON."""
import json

from training.runs import best_model, markdown_table, merge_runs, write_json


def _run(folder, models: dict, histories: dict | None = None):
    folder.mkdir()
    (folder / "metrics.json").write_text(json.dumps({"models": models}))
    for name, h in (histories or {}).items():
        (folder / f"{name}.history.json").write_text(json.dumps(h))
    return folder


def test_best_model_is_chosen_on_validation_never_test():
    metrics = {"a": {"test_accuracy": 0.99, "val_accuracy": 0.95}, "b": {"test_accuracy": 0.98, "val_accuracy": 0.97}}
    assert best_model(metrics) == "b"
    # a run that recorded no validation accuracy (older runs): its test accuracy stands in
    assert best_model({"a": {"test_accuracy": 0.97}, "b": {"test_accuracy": 0.98}}) == "b"


def test_merge_keeps_every_model_later_runs_win_and_skips_folders_without_metrics(tmp_path):
    first = _run(tmp_path / "full", {"x": {"test_accuracy": 0.9}, "y": {"test_accuracy": 0.8}},
                 {"x": {"loss": [1.0]}, "y": {"loss": [2.0]}})
    second = _run(tmp_path / "product", {"y": {"test_accuracy": 0.85}}, {"y": {"loss": [0.5]}})
    (tmp_path / "empty").mkdir()
    merged = merge_runs([first, tmp_path / "empty", tmp_path / "missing", second])
    assert merged["models"] == {"x": {"test_accuracy": 0.9}, "y": {"test_accuracy": 0.85}}
    assert merged["histories"] == {"x": {"loss": [1.0]}, "y": {"loss": [0.5]}}


def test_write_json_replaces_the_file_whole(tmp_path):
    p = tmp_path / "m.json"
    write_json(p, {"a": 1})
    write_json(p, {"b": [1, 2]})
    assert json.loads(p.read_text()) == {"b": [1, 2]} and not list(tmp_path.glob("*.tmp"))


def test_markdown_table_has_a_row_per_model_with_its_validation_accuracy():
    m = {"p": 10, "file_bytes": 2048, "train_seconds": 3, "test_accuracy": 0.5, "test_error": 0.5,
         "latency_ms_one_image": 1.0}
    table = markdown_table({"one": {**m, "params": 10, "val_accuracy": 0.875}, "two": {**m, "params": 20}})
    rows = [r for r in table.splitlines() if r.startswith("| one") or r.startswith("| two")]
    assert len(rows) == 2 and "87.50%" in rows[0] and "| - |" in rows[1]
