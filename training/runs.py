"""Run folders without TensorFlow: writing their JSON, merging several, the best model, the table.

One source for what the CLI, the report and the converter all say about a run, so that they
cannot disagree: the converter imports this module (not ``training.compare``, which loads
TensorFlow and matplotlib) to write its manifest and merge the runs the app compares.
"""
from __future__ import annotations

import json
from pathlib import Path


def write_json(path: Path, data) -> None:
    """Write atomically, so that an interrupted run never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def selection_score(m: dict) -> float:
    """What candidates are compared on: validation accuracy, never the test set. A model from a
    run that recorded no validation accuracy (older runs) falls back to its test accuracy."""
    return m.get("val_accuracy", m["test_accuracy"])


def best_model(metrics: dict[str, dict]) -> str:
    """The model with the best :func:`selection_score` (the first one on a tie)."""
    return max(metrics, key=lambda k: selection_score(metrics[k]))


def merge_runs(runs: list[Path]) -> dict[str, dict]:
    """Every model of the given run folders with its history: ``{"models": ..., "histories": ...}``.

    Folders without ``metrics.json`` are skipped; a later folder wins on a name clash.
    """
    models, histories = {}, {}
    for run in map(Path, runs):
        if not (run.is_dir() and (run / "metrics.json").exists()):
            continue
        m = json.loads((run / "metrics.json").read_text())["models"]
        models.update(m)
        for name in m:
            p = run / f"{name}.history.json"
            if p.exists():
                histories[name] = json.loads(p.read_text())
    return {"models": models, "histories": histories}


SUMMARY_HEADER = ["model", "parameters", "file", "training", "validation accuracy", "test accuracy", "test error",
                  "1 image (Keras)"]


def summary_rows(metrics: dict[str, dict]) -> list[list[str]]:
    """The comparison table's rows, one per model, in ``SUMMARY_HEADER``'s columns."""
    rows = []
    for name, m in metrics.items():
        val = f"{100 * m['val_accuracy']:.2f}%" if "val_accuracy" in m else "-"
        rows.append([name, f"{m['params']:,}", f"{m['file_bytes'] / 1024:.0f} KiB", f"{m['train_seconds']:.0f} s",
                     val, f"{100 * m['test_accuracy']:.2f}%", f"{100 * m['test_error']:.2f}%",
                     f"{m['latency_ms_one_image']:.2f} ms"])
    return rows


def markdown_table(metrics: dict[str, dict]) -> str:
    lines = ["| " + " | ".join(SUMMARY_HEADER) + " |", "|" + "---|" * len(SUMMARY_HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in summary_rows(metrics)]
    return "\n".join(lines) + "\n"
