"""``digits-train``: train and compare the models, write the data-analysis report."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

EXAMPLES = """examples:
  digits-train run --data ../shared/data/mnist.npz --out runs/full
  digits-train run --models larger_cnn compact_cnn --out runs/two
  digits-train run --quick --out runs/quick          # seconds: small subset, one epoch
  digits-train run --models product_cnn --out runs/product   # the product model alone
  digits-train run --models product_cnn_pen_mnist2 --start-from assets/digits.tflite --out runs/pen
  digits-train report --data ../shared/data/mnist.npz --out reports/ --run runs/full --run runs/product
  DIGITS_MNIST=../shared/data/mnist.npz digits-train report --quick --out /tmp/report
"""


def _parser() -> argparse.ArgumentParser:
    from training.data import SEED
    from training.models import ALL_MODELS, MODELS

    p = argparse.ArgumentParser(prog="digits-train", description=__doc__, epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="MNIST .npz in the keras layout (default: $DIGITS_MNIST, then download)")
    common.add_argument("--quick", action="store_true", help="small subset and one epoch, for tests and demos")
    common.add_argument("--seed", type=int, default=SEED)
    r = sub.add_parser("run", parents=[common], help="train models and write a run folder", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--out", type=Path, required=True, help="run folder to write")
    r.add_argument("--models", nargs="+", choices=list(ALL_MODELS), default=list(MODELS),
                   help="default: the study's three and ours; candidates for the product model can be named too")
    r.add_argument("--threads", type=int, help="TensorFlow threads (default: all cores)")
    r.add_argument("--epochs", type=int, help="override every model's epochs")
    r.add_argument("--start-from", type=Path, metavar="TFLITE",
                   help="second stages start from this shipped int8 model (e.g. assets/digits.tflite), "
                        "not from a first stage trained in the run folder")
    r.add_argument("--corrections", type=Path, metavar="FOLDER",
                   help="add the app's corrections folder (labels.csv and PNGs, see README) to the training digits")
    r.add_argument("--corrections-repeat", type=int, default=10, metavar="N",
                   help="each correction N times (default 10), so a few dozen count among 55,000 digits")
    rep = sub.add_parser("report", parents=[common], help="write the data-analysis report (HTML, PDF and a PPTX deck)",
                         epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    rep.add_argument("--out", type=Path, required=True, help="folder for report.html, report.pdf and report.pptx")
    rep.add_argument("--run", type=Path, action="append", default=[],
                     help="run folder(s) whose models the report compares (repeat to merge runs)")
    return p


def main(argv: list[str] | None = None) -> int:
    from training import tensorflow_missing

    if tensorflow_missing("digits-train"):
        return 2
    args = _parser().parse_args(argv)
    from rich.console import Console

    console = Console(stderr=True)
    from training.data import QUICK_TEST, QUICK_TRAIN, DataNotFoundError, load_mnist, subset

    try:
        data = load_mnist(args.data)
    except DataNotFoundError as e:
        print(f"digits-train: {e}", file=sys.stderr)  # plain print: one unwrapped sentence
        return 2
    if args.quick:
        data = subset(data, QUICK_TRAIN, QUICK_TEST)
    if args.command == "run":
        return _run(args, data, console)
    from training.report import write_report

    written = write_report(data, args.out, run_dirs=args.run, quick=args.quick, seed=args.seed, echo=console.print)
    console.print("report written: " + ", ".join(map(str, written)))
    return 0


def _run(args, data, console) -> int:
    from rich.table import Table

    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    from training.compare import RunOptions, run
    from desktop.engine.corrections import CorrectionsError
    from training.corrections import NoCorrectionsError
    from training.data import N_VAL, QUICK_N_VAL
    from training.runs import SUMMARY_HEADER, summary_rows

    if args.start_from:
        from training.from_tflite import ModelMismatch, write_start
        from training.models import ALL_MODELS

        starts = {ALL_MODELS[m].init_from for m in args.models if ALL_MODELS[m].init_from}
        if not starts:
            print("digits-train: --start-from is for second stages (such as product_cnn_tuned); none is named",
                  file=sys.stderr)
            return 2
        # Neither trained again in the run (it would replace the start) nor written over one trained before.
        trained = sorted(starts & set(args.models))
        clash = trained or sorted(n for n in starts if (args.out / f"{n}.keras").exists())
        if clash:
            print(f"digits-train: --start-from writes {', '.join(clash)} in {args.out}, which "
                  f"{'this run also trains' if trained else 'holds one already'}; choose another --out",
                  file=sys.stderr)
            return 2
        try:
            for name in sorted(starts):
                write_start(args.start_from, args.out / f"{name}.keras", ALL_MODELS[name].build, data.x_train, args.seed)
                console.print(f"{name} from {args.start_from} -> {args.out / (name + '.keras')}")
        except (ModelMismatch, ValueError, OSError) as e:  # not a model file, or another network's
            print(f"digits-train: {args.start_from} cannot start {', '.join(sorted(starts))}: {e}", file=sys.stderr)
            return 2
    opts = RunOptions(out=args.out, models=args.models, seed=args.seed,
                      epochs=1 if args.quick and not args.epochs else args.epochs,
                      n_val=QUICK_N_VAL if args.quick else N_VAL, quick=args.quick,
                      corrections=args.corrections, corrections_repeat=args.corrections_repeat)
    try:
        metrics = run(data, opts, echo=console.print)
    except (NoCorrectionsError, CorrectionsError) as e:  # a folder that cannot be read, or is no corrections
        print(f"digits-train: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        console.print("interrupted; the models already finished are in the run folder")
        return 130
    table = Table(*SUMMARY_HEADER, title=f"MNIST test set, run {args.out}")
    for row in summary_rows(metrics):
        table.add_row(*row)
    from rich.console import Console

    Console().print(table)
    return 0 if metrics else 1


if __name__ == "__main__":
    sys.exit(main())
