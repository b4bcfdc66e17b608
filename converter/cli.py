"""``digits-convert``: quantize a training run's product model (else its best CNN by validation accuracy), verify
every variant, ship int8."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

EXAMPLES = """examples:
  digits-convert runs/product --comparison runs/full --data ../shared/data/mnist.npz --out assets/
  digits-convert runs/full/larger_cnn.keras --out /tmp/assets
  digits-convert runs/quick --quick --out /tmp/assets --max-drop 1 --max-disagree 0.05
exit codes: 0 shipped, 2 bad input (model or data), 3 verification failed (nothing shipped)
"""


# int8 representative data: how many images, and the shares of MNIST, other writers' digits and
# non-digits (all training parts), so the activation ranges cover every kind of input trained on.
REPRESENTATIVE_IMAGES = 500
REPRESENTATIVE_SHARES = (0.6, 0.2, 0.2)


def _parser() -> argparse.ArgumentParser:
    from training.data import SEED

    p = argparse.ArgumentParser(prog="digits-convert", description=__doc__, epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path, help="a run folder (its product or best CNN) or a .keras file")
    p.add_argument("--out", type=Path, default=Path("assets"), help="folder to ship into (default assets/)")
    p.add_argument("--model", help="which model of the run folder (default: the product model, else the best CNN)")
    p.add_argument("--variant", default="int8", help="variant to ship: float32, float16, dynamic, int8")
    p.add_argument("--data", help="MNIST .npz in the keras layout (default: $DIGITS_MNIST, then download)")
    p.add_argument("--quick", action="store_true", help="small test subset, for tests and demos")
    p.add_argument("--seed", type=int, default=SEED)
    # The flag keeps its old name; the images are int8 *representative data* (they set the int8
    # scales), not the temperature calibration written under "calibration" in the manifest.
    p.add_argument("--calibration", dest="representative", type=int, default=REPRESENTATIVE_IMAGES,
                   help="training images used as int8 representative data (they set the int8 scales)")
    p.add_argument("--max-drop", type=float, default=0.05, help="max test accuracy points int8 may lose")
    p.add_argument("--max-disagree", type=float, default=0.003, help="max share of test images int8 may differ on")
    p.add_argument("--min-accepted-accuracy", type=float, default=0.996,
                   help="min int8 MNIST test accuracy on the digits the app answers neither unsure nor not a digit")
    p.add_argument("--comparison", type=Path, action="append", default=[],
                   help="more run folders whose models the app's comparison shows (default: the source run only)")
    return p


def pick_model(source: Path, name: str | None) -> tuple[Path, dict, dict]:
    """The .keras file to convert, its run's metrics and environment (empty for a bare file)."""
    if source.is_dir():
        metrics = json.loads((source / "metrics.json").read_text())["models"]
        env_path = source / "environment.json"
        env = json.loads(env_path.read_text()) if env_path.exists() else {}
        if name is None:
            from training.models import PRODUCT_MODEL
            from training.runs import best_model

            # Without the product model, the best CNN by the one selection rule (validation, never test).
            name = PRODUCT_MODEL if PRODUCT_MODEL in metrics else best_model(
                {k: v for k, v in metrics.items() if "cnn" in k})
        return source / f"{name}.keras", metrics, env
    return source, {}, {}


def main(argv: list[str] | None = None) -> int:
    from training import tensorflow_missing

    if tensorflow_missing("digits-convert"):
        return 2
    args = _parser().parse_args(argv)
    from rich.console import Console
    from rich.table import Table

    import numpy as np

    err = Console(stderr=True)
    from converter.variants import VARIANTS, NotAKerasModelError, convert, load_keras
    from converter.verify import (expected_calibration_error, fit_temperature,
                                  predict_all, verify)
    from converter.ship import ship
    from training.runs import merge_runs
    from desktop.engine.classifier import Classifier, calibrate
    from training.data import (N_VAL, QUICK_N_VAL, QUICK_TEST, QUICK_TRAIN, DataNotFoundError, load_mnist, subset,
                               validation_split)
    from training.train import to_input

    try:
        model_path, _, env = pick_model(args.source, args.model)
        model = load_keras(model_path)
        data = load_mnist(args.data)
    except (NotAKerasModelError, DataNotFoundError, FileNotFoundError, KeyError) as e:
        print(f"digits-convert: {e}", file=sys.stderr)
        return 2
    if args.quick:
        data = subset(data, QUICK_TRAIN, QUICK_TEST)
    seed = env.get("seed", args.seed)
    split = validation_split(data.x_train, data.y_train, env.get("n_val", QUICK_N_VAL if args.quick else N_VAL), seed)
    rng = np.random.default_rng(seed)
    extra = _product_data(split, seed, env, args.quick, err)
    x_representative = to_input(_representative_images(split.x_train, extra, args.representative, rng))
    x_test = to_input(data.x_test)[..., 0]
    keras_pred = model.predict(x_test[..., None], batch_size=1000, verbose=0).argmax(axis=1)
    keras_acc = float((keras_pred == data.y_test).mean())
    err.print(f"{model_path.name}: Keras test accuracy {100 * keras_acc:.2f}% on {len(x_test)} images")

    variants: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for v in VARIANTS:
            err.print(f"converting and verifying {v} ...")
            path = Path(tmp) / f"{model_path.stem}_{v}.tflite"
            path.write_bytes(convert(model, v, x_representative if v == "int8" else None))
            variants[v] = verify(path, x_test, data.y_test, keras_pred, keras_acc)
        _print_table(variants, keras_acc, Table)
        chosen = Path(tmp) / f"{model_path.stem}_{args.variant}.tflite"
        if args.variant not in variants:
            err.print(f"[red]error:[/red] unknown variant {args.variant}")
            return 2
        gate = variants["int8"]
        if gate["drop_points"] > args.max_drop or gate["disagreement"] > args.max_disagree:
            err.print(f"[bold red]verification failed:[/bold red] int8 loses {gate['drop_points']} points "
                      f"(max {args.max_drop}) and disagrees on {100 * gate['disagreement']:.2f}% "
                      f"(max {100 * args.max_disagree:.2f}%). Nothing was shipped.")
            return 3
        shipped_clf = Classifier(chosen)  # temperature 1: raw probabilities, calibrated below
        temperature = fit_temperature(predict_all(shipped_clf, to_input(split.x_val)[..., 0]), split.y_val)
        raw_test = predict_all(shipped_clf, x_test)
        err.print("choosing the not-a-digit rule through the app's recognize() ...")
        not_digit = _not_digit(Classifier(chosen, temperature=temperature), split, extra, data.x_test, data.y_test)
        _print_not_digit(not_digit)
        if not_digit["mnist_test_accuracy_confident"] < args.min_accepted_accuracy:
            err.print(f"[bold red]verification failed:[/bold red] int8 reads "
                      f"{100 * not_digit['mnist_test_accuracy_confident']:.2f}% of the MNIST test digits the app "
                      f"answers without a flag (min {100 * args.min_accepted_accuracy:.2f}%). Nothing was shipped.")
            return 3
        extra = {
            "calibration": {
                "temperature": temperature,
                "ece_before": round(expected_calibration_error(raw_test, data.y_test), 5),
                "ece_after": round(expected_calibration_error(calibrate(raw_test, temperature), data.y_test), 5),
            },
            "keras_test_accuracy": round(keras_acc, 6),
            # The not-a-digit choice already ran the test set through the app's path: its answers are these.
            "test_accuracy_through_preprocessing": not_digit["mnist_test_accuracy"],
            "n_test": int(len(x_test)),
            "not_digit": not_digit,
        }
        idx = [int(np.flatnonzero(data.y_test == c)[0]) for c in range(10)]  # one digit per class
        target = ship(
            chosen, args.out, temperature=temperature,
            source={"model": model_path.stem, "run": str(args.source), "seed": seed,
                    "data_sha256": data.sha256, "variant": args.variant},
            versions={k: env.get(k) for k in ("tensorflow", "keras", "numpy", "python")},
            variants=variants,
            comparison=merge_runs([*args.comparison, args.source]),
            extra=extra,
            selftest=(data.x_test[idx], data.y_test[idx]),
        )
    err.print(f"shipped {target} ({target.stat().st_size:,} bytes), temperature {temperature}, "
              f"accuracy through the app's preprocessing {100 * extra['test_accuracy_through_preprocessing']:.2f}%")
    return 0


def _product_data(split, seed: int, env: dict, quick: bool, err):
    """The run's other writers' digits and non-digits (cached by training.product_data), or None
    when the other writers' data is not there (then MNIST alone is the int8 representative data and
    sets the threshold)."""
    from training import other_writers, product_data

    if not other_writers.DEFAULT_PATH.exists():
        err.print(f"no {other_writers.DEFAULT_PATH}: not-a-digit threshold and int8 representative data from MNIST only")
        return None
    return product_data.load_or_build((split.x_train, split.y_train), seed, env.get("quick", quick), echo=err.print)


def _representative_images(x_mnist, extra, n: int, rng):
    import numpy as np

    if extra is None:
        return x_mnist[rng.choice(len(x_mnist), n, replace=False)]
    counts = [round(n * s) for s in REPRESENTATIVE_SHARES]
    pools = [x_mnist, extra.x_ow, extra.x_neg]
    return np.concatenate([p[rng.choice(len(p), min(c, len(p)), replace=False)] for p, c in zip(pools, counts)])


def _not_digit(clf, split, extra, x_test, y_test) -> dict:
    """Rule and threshold chosen on validation images through the app's path; every part reported."""
    import numpy as np

    from converter.not_digit import app_scores, summary

    def grays(x):  # uint8 images, white ink on black: as the app reads such a file
        return list(np.asarray(x, np.float32) / 255.0)

    parts = {"mnist_val": app_scores(clf, grays(split.x_val))}
    if extra is not None:
        parts["other_writers_val"] = app_scores(clf, grays(extra.x_ow_val))
        parts["non_digits_val"] = app_scores(clf, grays(extra.x_neg_val))
        parts["non_digits_test"] = app_scores(clf, grays(extra.x_neg_test))
    return summary(parts, app_scores(clf, grays(x_test)), y_test)


def _print_not_digit(nd: dict) -> None:
    from rich.console import Console

    shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in nd["flagged"].items())
    Console().print(f"not a digit: {nd['rule']} < {nd['threshold']}, unsure < {nd['unsure_below']}: flagged {shares}; "
                    f"MNIST test accuracy: all {100 * nd['mnist_test_accuracy']:.2f}%, the {nd['mnist_test_accepted']:,} "
                    f"not rejected {100 * nd['mnist_test_accuracy_accepted']:.2f}%, the {nd['mnist_test_confident']:,} "
                    f"answered without a flag {100 * nd['mnist_test_accuracy_confident']:.2f}%")


def _print_table(variants: dict, keras_acc: float, Table) -> None:
    from rich.console import Console

    t = Table("variant", "bytes", "test accuracy", "drop (points)", "disagreement", "1 image median",
              "1 image p95", "batched", title=f"TFLite variants (Keras {100 * keras_acc:.2f}%)")
    for name, v in variants.items():
        t.add_row(name, f"{v['bytes']:,}", f"{100 * v['test_accuracy']:.2f}%", f"{v['drop_points']:+.2f}",
                  f"{100 * v['disagreement']:.2f}%", f"{v['median_us']:.0f} us", f"{v['p95_us']:.0f} us",
                  f"{v['batch_us_per_image']:.1f} us/img")
    Console().print(t)


if __name__ == "__main__":
    sys.exit(main())
