"""``digits``: classify images and folders offline, a row per file as soon as it is known.

Exit codes: 0 every file classified; 1 finished, but some files had errors or no digit;
2 bad arguments, no input or an unusable model; 130 interrupted (the results file is still valid).
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from collections import Counter

EXAMPLES = """examples:
  digits classify scans/ --out results.csv
  digits classify a.png b.jpg --out results.jsonl        # JSON lines
  digits classify photos/ --out results.csv --resume     # skip files already in results.csv
  digits classify numbers/ --number --workers 2 --out numbers.csv
  digits classify img.png                                 # CSV to the terminal
"""
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="digits", description=__doc__, epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classify", help="classify image files and folders", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("paths", nargs="+", help="image files and folders")
    c.add_argument("--out", "-o", default="-", help="results file, .csv or .jsonl (default: CSV on stdout)")
    c.add_argument("--format", choices=["csv", "jsonl"], help="override the format the suffix implies")
    c.add_argument("--resume", action="store_true", help="append to --out, skipping files already in it")
    c.add_argument("--no-recursive", dest="recursive", action="store_false", help="do not enter subfolders")
    c.add_argument("--number", action="store_true", help="read several digits per image (e.g. 2024)")
    c.add_argument("--workers", "-j", type=int, default=None, help="worker processes (default: CPU cores)")
    c.add_argument("--model", help="a .tflite digit model (default: the shipped one)")
    c.add_argument("--threads", type=int, default=1, help="interpreter threads per worker")
    c.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    return p


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def classify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from desktop.engine.batch import classify_files, default_workers
    from desktop.engine.errors import DigitsError
    from desktop.engine.files import find_images
    from desktop.engine.model_files import load_model
    from desktop.engine.results import RowWriter, done_paths, format_for

    err = sys.stderr
    try:
        clf = load_model(args.model, num_threads=args.threads)
    except DigitsError as e:
        print(f"digits: {e}", file=err)
        return EXIT_USAGE
    to_stdout = args.out == "-"
    fmt = args.format or ("csv" if to_stdout else format_for(args.out))
    skip = done_paths(args.out) if args.resume and not to_stdout else set()
    total = sum(1 for f in find_images(args.paths, args.recursive) if f.path not in skip)
    if total == 0 and not skip:
        print("digits: no image files found in " + ", ".join(args.paths), file=err)
        return EXIT_USAGE
    writer = RowWriter(sys.stdout, fmt, write_header=True) if to_stdout else RowWriter.open(args.out, fmt, args.resume)
    todo = (f for f in find_images(args.paths, args.recursive) if f.path not in skip)
    workers = args.workers or default_workers()
    counts: Counter[str] = Counter()
    failed = unsure = 0
    start = time.perf_counter()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    bar = tqdm(total=total, unit="img", disable=args.quiet, file=err, dynamic_ncols=True)
    interrupted = False
    # A worker process costs a model load: not worth it for fewer than a chunk's worth of files each.
    chunks = classify_files(todo, args.model, workers=min(workers, max(1, total // 64)),
                            number=args.number, classifier=clf)
    try:
        for rows in chunks:
            writer.write(rows)
            for r in rows:
                if r.error:
                    failed += 1
                else:
                    counts[r.digit] += 1
                    unsure += r.unsure
            bar.update(len(rows))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        chunks.close()
        bar.close()
        if not to_stdout:
            writer.close()
    done = sum(counts.values()) + failed
    if not args.quiet:
        rate = done / max(time.perf_counter() - start, 1e-9)
        where = "" if to_stdout else f" -> {args.out}"
        print(f"{'interrupted: ' if interrupted else ''}{done} files in {time.perf_counter() - start:.1f} s "
              f"({rate:.0f}/s){where}: {done - failed} classified ({unsure} unsure), {failed} errors or no digit",
              file=err)
        if counts and not args.number:
            print("digits: " + "  ".join(f"{d}:{counts[d]}" for d in sorted(counts)), file=err)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_SOME_FAILED if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "classify":
        return classify(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
