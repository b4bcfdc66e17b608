"""The comparison (the study's task 3): train a subset of the models into one run folder.

Layout of a run folder:
  <name>.keras, <name>.history.json   one per finished model, written as soon as it finishes
  metrics.json                         per-model metrics, rewritten after every model
  environment.json                     seeds, versions, data source and hash
  plots/*.png                          curves, accuracy vs size, best model's confusions, errors
"""
from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from training import evaluate, plots
from training.data import N_VAL, SEED, Mnist, validation_split
from training.models import ALL_MODELS
from training.runs import best_model, markdown_table, write_json
from training.train import to_input, train


ERRORS_SHOWN = 48  # misread test digits in the best model's gallery


@dataclass(frozen=True)
class RunOptions:
    out: Path
    models: list[str]
    seed: int = SEED
    epochs: int | None = None  # overrides every spec's epochs (``--quick`` uses 1)
    n_val: int = N_VAL
    verbose: int = 2
    quick: bool = False  # small extra data too (training.product_data)
    corrections: Path | None = None  # the app's corrections folder, added to the training digits
    corrections_repeat: int = 10  # each correction this many times (training.corrections.REPEAT)


def environment(data: Mnist, opts: RunOptions) -> dict:
    return {
        "seed": opts.seed,
        "models": opts.models,
        "epochs_override": opts.epochs,
        "n_train": int(len(data.x_train) - opts.n_val),
        "n_val": opts.n_val,
        "quick": opts.quick,
        "n_test": int(len(data.x_test)),
        "data_source": data.source,
        "data_sha256": data.sha256,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        **({"corrections": str(opts.corrections), "corrections_repeat": opts.corrections_repeat}
           if opts.corrections else {}),
    }


def run(data: Mnist, opts: RunOptions, echo=print) -> dict[str, dict]:
    """Train the chosen models one after another; Ctrl+C keeps every model already finished."""
    if opts.corrections:  # read first: an empty or unreadable folder stops the run before any file is written
        from training import corrections

        cx, cy = corrections.load(opts.corrections)
    opts.out.mkdir(parents=True, exist_ok=True)
    write_json(opts.out / "environment.json", environment(data, opts))
    split = validation_split(data.x_train, data.y_train, opts.n_val, opts.seed)
    train_split = split  # what the models train on; ``split`` keys the product-data cache, unchanged
    if opts.corrections:
        train_split = corrections.with_corrections(split, cx, cy, opts.corrections_repeat)
        echo(f"    + {len(cy):,} corrections from {opts.corrections}, each {opts.corrections_repeat} times")
    x_test = to_input(data.x_test)
    metrics: dict[str, dict] = {}
    histories: dict[str, dict] = {}
    predictions: dict[str, np.ndarray] = {}
    for i, name in enumerate(opts.models, 1):
        spec = ALL_MODELS[name]
        echo(f"[{i}/{len(opts.models)}] training {name} ({spec.title}) ...")
        extra = None
        if spec.other_writers:
            from training import product_data

            extra = product_data.load_or_build((split.x_train, split.y_train), opts.seed, opts.quick, echo=echo)
            echo(f"    + {len(extra.x_ow):,} other writers' digits, {len(extra.x_neg):,} non-digits "
                 f"(outlier exposure weight {spec.outlier_weight})")
        init = opts.out / f"{spec.init_from}.keras" if spec.init_from else None
        result = train(spec, train_split, opts.seed, opts.epochs, verbose=opts.verbose, extra=extra, init_path=init)
        if result.interrupted:
            echo(f"interrupted while training {name}: it is not saved; the models before it are.")
            break
        path = opts.out / f"{name}.keras"
        result.model.save(path)
        m, pred = evaluate.evaluate(result.model, x_test, data.y_test, path)
        # The final model's validation accuracy: what candidates are compared on (never the test set).
        val_pred = result.model.predict(to_input(split.x_val), batch_size=evaluate.PREDICT_BATCH,
                                        verbose=0).argmax(axis=1)
        m["val_accuracy"] = round(float((val_pred == split.y_val).mean()), 6)
        m.update(title=spec.title, train_seconds=round(result.seconds, 1), epochs=result.epochs_run,
                 batch_size=spec.batch_size, augment=spec.augment, schedule=spec.schedule)
        metrics[name], histories[name], predictions[name] = m, result.history, pred
        write_json(opts.out / f"{name}.history.json", result.history)
        write_json(opts.out / "metrics.json", {"seed": opts.seed, "models": metrics})
        echo(f"    {name}: test accuracy {100 * m['test_accuracy']:.2f}%, {m['params']:,} parameters, "
             f"{result.seconds:.0f} s")
    if metrics:
        write_plots(opts.out, metrics, histories, predictions, data)
        (opts.out / "comparison.md").write_text(markdown_table(metrics))
    return metrics


def write_plots(out: Path, metrics: dict, histories: dict, predictions: dict, data: Mnist) -> None:
    pdir = out / "plots"
    pdir.mkdir(exist_ok=True)
    best = best_model(metrics)
    plots.training_curves(histories, pdir / "training_curves.png")
    plots.accuracy_vs_size(metrics, pdir / "accuracy_vs_size.png")
    cm = np.array(metrics[best]["confusion_matrix"])
    plots.confusion(cm, f"Confusion matrix: {best}", pdir / "confusion_best.png")
    plots.confused_pairs(metrics[best]["most_confused"], f"Most confused pairs: {best}", pdir / "confused_pairs.png")
    wrong = np.flatnonzero(predictions[best] != data.y_test)[:ERRORS_SHOWN]
    captions = [f"{data.y_test[i]}→{predictions[best][i]}" for i in wrong]
    plots.gallery(data.x_test[wrong], captions, f"Test digits {best} gets wrong (true→predicted)",
                  pdir / "errors_best.png")

