"""``digits``: classify images and folders offline, a row per file as soon as it is known.

Each row has a status: digit, unsure, not a digit, no digit or error; the summary counts them.
Exit codes: 0 every file answered (digit, unsure or not a digit); 1 finished, but some files had
errors or no digit (after --resume, also those of the earlier runs in the file);
2 bad arguments, no input (every path named missing, or no image in them), an unusable model or
output, a write that failed (the file still ends at a complete row), or no memory left to run in;
130 interrupted, once or more (the results file is still valid); 141 standard output's reader
stopped reading (| head), quietly.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.engine.results import DonePaths

EXAMPLES = """examples:
  digits classify scans/ --out results.csv
  digits classify a.png b.jpg --out results.jsonl        # JSON lines
  digits classify photos/ --out results.csv --resume     # skip files already in results.csv
  digits classify photos/ --out results.csv --overwrite  # replace an existing results.csv
  digits classify numbers/ --number --workers 2 --out numbers.csv
  digits classify img.png                                 # CSV to the terminal
"""
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_READER_CLOSED = 128 + 13  # as a program that SIGPIPE ends: `digits classify scans | head` stops quietly


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="digits", description=__doc__, epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classify", help="classify image files and folders", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("paths", nargs="+", help="image files and folders")
    c.add_argument("--out", "-o", default="-",
                   help="results file: .csv, or .jsonl/.ndjson/.json for JSON lines (default: CSV on stdout)")
    c.add_argument("--format", choices=["csv", "jsonl"], help="override the format the suffix implies")
    keep = c.add_mutually_exclusive_group()
    keep.add_argument("--resume", action="store_true",
                      help="append to --out, skipping files already in it (from the folder the first run "
                           "started in: its relative paths are resolved from here)")
    keep.add_argument("--overwrite", action="store_true", help="replace --out if it exists (it is kept otherwise)")
    c.add_argument("--no-recursive", dest="recursive", action="store_false", help="do not enter subfolders")
    c.add_argument("--number", action="store_true", help="read several digits per image (e.g. 2024)")
    c.add_argument("--workers", "-j", type=_positive, default=None,
                   help="worker processes (default: CPU cores, at most 4; never more than the CPU count, "
                        "and one per 256 files at most)")
    c.add_argument("--model", help="a .tflite digit model (default: the shipped one)")
    c.add_argument("--threads", type=_positive, default=1, help="interpreter threads per worker")
    c.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    return p


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
FORCE_AFTER = 3  # stop signals: the third ends the process as the signal's default would
_stops = 0


def _raise_interrupt(signum, frame):
    # Once: a second Ctrl+C, or systemd's TERM then HUP, raised again inside the stopping run's
    # cleanup (a hostile pass): a traceback from tqdm or the process pool, or death by the signal
    # with no summary. The file is whole either way; what follows is only the stop. A third is a
    # user who will not wait for it (a cleanup that hangs): the signal's own action, at once.
    global _stops
    _stops += 1
    if _stops >= FORCE_AFTER:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _stops == 1:
        raise KeyboardInterrupt


def _is_one_of(path: str, paths: list[str]) -> bool:
    """The same file as one of ``paths`` (by device and inode: links and other spellings too)."""
    try:
        me = os.stat(path)
    except OSError:
        return False
    for p in paths:
        try:
            if os.path.samestat(os.stat(p), me):
                return True
        except OSError:
            continue
    return False


def classify(args: argparse.Namespace) -> int:
    # SIGHUP: the terminal closed: stop as Ctrl+C does, the file whole. The caller's own handlers come
    # back after, unless a stop came: then the process is ending, and another signal is ignored (a
    # Python handler is reset at exit, and a second TERM 20 ms after the first killed the exiting run).
    global _stops
    _stops = 0
    before = {s: signal.signal(s, _raise_interrupt) for s in STOP_SIGNALS}
    try:
        return _classify(args)
    finally:
        for s, handler in before.items():
            signal.signal(s, signal.SIG_IGN if _stops else handler)


def _classify(args: argparse.Namespace) -> int:
    from desktop.engine.errors import DigitsError
    from desktop.engine.files import is_image_name, name_of_other_format
    from desktop.engine.model_files import files_of
    from desktop.engine.results import DonePaths, ResultsOutput, format_for, open_results

    err = sys.stderr
    fmt = format_for(args.out, args.format)
    if args.out != "-" and (is_image_name(args.out) or name_of_other_format(args.out)):
        # `--out good/d1.png --overwrite`, a tab completion's slip, wrote CSV over a scan not in this run
        # (and over a phone's IMG_0001.HEIC, a format named but not read: a hostile pass).
        print(f"digits: the output {args.out} is named as an image; results are CSV or JSON lines: "
              "give a name ending in .csv or .jsonl", file=err)
        return EXIT_USAGE
    if args.out != "-" and _is_one_of(args.out, [str(f) for f in files_of(args.model)]):
        print(f"digits: the output {args.out} is one of the model's files; choose another --out.", file=err)
        return EXIT_USAGE
    # The output first: a problem with it is found before the model is loaded or a folder listed.
    try:
        if args.out == "-":
            out, skip = ResultsOutput.stdout(fmt), DonePaths()
        else:
            out, skip = open_results(args.out, args.format, args.resume, args.overwrite, args.number)
    except DigitsError as e:
        print(f"digits: {e}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    try:
        return _run(args, out, skip)
    except KeyboardInterrupt:  # before the first row (loading the model, listing the folders)
        return EXIT_INTERRUPTED
    finally:
        # A file this run made with no row in it helps no one, and "already exists" would block the
        # next run: an interrupt, a model or a system limit that stopped the run before its first row.
        out.close(remove=True)


def _run(args: argparse.Namespace, out, skip: DonePaths) -> int:
    from tqdm import tqdm

    from desktop.engine.batch import classify_rows, cpu_count, plan_workers, walk
    from desktop.engine.errors import DigitsError, OutputError, ReaderClosed
    from desktop.engine.model_files import load_model
    from desktop.engine.results import same_path

    err = sys.stderr
    if args.threads > cpu_count():  # thousands of threads exhaust the system's limit and crash
        if not args.quiet:
            print(f"digits: --threads {args.threads} lowered to {cpu_count()}, the number of CPUs this run may use",
                  file=err)
        args.threads = cpu_count()
    if args.out != "-":  # never an image name (classify refused one)
        # The results file among the inputs: `digits classify * --out r.csv --resume`, where the glob
        # now matches r.csv, was refused with "the output r.csv is one of the images to classify".
        args.paths = [p for p in args.paths if same_path(p) != same_path(args.out)] or args.paths
    if not any(os.path.lexists(p) for p in args.paths):
        # A typo in the only folder's name is no run with one error row (exit 1) but no input (exit 2).
        what = (f"{args.paths[0]} does not exist" if len(args.paths) == 1
                else f"none of {', '.join(args.paths)} exists")
        print(f"digits: nothing to classify: {what}", file=err)
        out.close(remove=True)
        return EXIT_USAGE
    try:
        clf = load_model(args.model, num_threads=args.threads)
    except DigitsError as e:
        print(f"digits: {e}", file=err)
        out.close(remove=True)
        return EXIT_USAGE

    found = walk(args.paths, args.recursive, skip)
    total = len(found)
    # By inode, whatever its name: a link named results.csv to one of the images was written over.
    if args.out != "-" and _is_one_of(args.out, [f.path for f in found]):
        # Written over, an image would be lost (with --overwrite) and be read back as a broken file.
        print(f"digits: the output {args.out} is one of the images to classify; choose another --out.", file=err)
        out.close(remove=True)
        return EXIT_USAGE
    if total == 0 and not skip:
        print("digits: no image files found in " + ", ".join(args.paths), file=err)
        out.close(remove=True)
        return EXIT_USAGE
    if args.workers and args.workers > cpu_count() and not args.quiet:
        # More processes than CPUs only adds memory and switching; each costs a model load.
        print(f"digits: --workers {args.workers} lowered to {cpu_count()}, the number of CPUs this run may use",
              file=err)
    from desktop.engine.recognize import FAILED, READ, STATUSES, format_confidence

    counts: Counter[str] = Counter()  # per digit (or number) read
    statuses: Counter[str] = Counter()
    sure_sum = 0.0  # confidences of the answers, for their mean (a running sum: memory stays flat)
    start = time.perf_counter()
    bar = tqdm(total=total, unit="img", disable=args.quiet, file=err, dynamic_ncols=True)
    interrupted, stopped = False, ""
    rows = classify_rows(found, clf, plan_workers(total, args.workers), number=args.number)
    try:
        for r in rows:
            out.write(r)
            statuses[r.status] += 1
            if r.status in READ:  # a not-a-digit row's best guess is no digit read (a tie picks 0)
                counts[r.digit] += 1
                sure_sum += r.confidence or 0.0
            bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    except ReaderClosed:
        return EXIT_READER_CLOSED  # no summary: `| head` took what it wanted
    except (OutputError, DigitsError) as e:
        stopped = str(e)
    finally:
        rows.close()
        bar.close()
    if out.gone() and not stopped:
        stopped = (f"{args.out} was deleted or replaced while this run wrote it, so not every row is in it; "
                   "run again with --resume to write the rest." if _folder_of_exists(args.out) else
                   f"the folder of {args.out} was deleted or moved while this run wrote it, and its rows with it; "
                   "run again with --out in a folder that exists.")
    elif out.cut_short() and not stopped:
        stopped = (f"{args.out} was emptied or cut while this run wrote it, so rows are missing from it; "
                   "run again with --overwrite to write them all.")
    done = sum(statuses.values())
    failed = sum(statuses[s] for s in FAILED)
    if stopped:
        print(f"digits: {stopped}", file=err)
    if not args.quiet:
        secs = time.perf_counter() - start
        where = "" if args.out == "-" else f" -> {args.out}"
        files = f"{done} file{'' if done == 1 else 's'}"
        print(f"{'interrupted: ' if interrupted else 'stopped: ' if stopped else ''}{files} in {secs:.1f} s "
              f"({done / max(secs, 1e-9):.0f}/s){where}: "
              + ", ".join(f"{statuses[s]} {s}" for s in STATUSES), file=err)
        n_read = sum(statuses[s] for s in READ)
        if n_read:
            what = ("number" if args.number else "digit") + ("s" if n_read != 1 else "")
            print(f"digits: mean confidence of the {n_read} {what} read: {format_confidence(sure_sum / n_read)}",
                  file=err)
        if counts and not args.number:
            print("digits: " + "  ".join(f"{d}:{counts[d]}" for d in sorted(counts)), file=err)
    if skip.failed and not args.quiet:
        # A resumed run finishes the job the file holds: its failures are this job's too.
        print(f"digits: {args.out} also holds {skip.failed} earlier row(s) of files that could not be read or held "
              "no digit; --resume does not read them again (--overwrite reads every file again)", file=err)
    if stopped:
        return EXIT_USAGE
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_SOME_FAILED if failed or skip.failed else EXIT_OK


def _standard_streams_opened() -> frozenset[str]:
    """Open the null device on standard input, output or error where it is closed (`2>&-`); the
    names of those that were closed.

    A closed descriptor 2 was taken by the results file, the lowest free one: the runtime's log line
    landed inside the CSV, and the progress bar (sys.stderr None) stopped the run with no word."""
    closed = set()
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(fd)
            continue
        except OSError:
            closed.add(name)
        null = os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: this one, as lower ones are open
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, closefd=False))
    return frozenset(closed)


class _MessagesThatMayFail:
    """Standard error whose failures cost nothing: a reader that stops (`2>&1 | head`, a `tee` that
    dies) or a full disk behind `2>log` made a write of the progress bar raise and stopped the run
    with exit 1, "finished", at 5,285 of 10,000 files (a hostile pass). The rows never depend on the
    messages: at the first failed write the descriptor is pointed at the null device, and the run
    goes on, silent (Python's own last flush then has nowhere to fail either)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError:
            self._silence()

    def _silence(self) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self._stream.fileno())
        finally:
            os.close(null)
        try:
            self._stream.flush()  # what was buffered goes to the null device now
        except OSError:
            pass

    def __getattr__(self, name: str):  # fileno, isatty, encoding...: the stream's own
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    closed = _standard_streams_opened()
    given = sys.stderr
    sys.stderr = _MessagesThatMayFail(given)
    try:
        return _main(argv, closed)
    finally:
        sys.stderr = given


def _folder_of_exists(path: str) -> bool:
    """The folder ``path`` is in is still there (False when it, or the current folder a relative
    path starts from, was deleted: os.path.abspath raised then, a review)."""
    try:
        return os.path.isdir(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return False


def _folder_gone(args: argparse.Namespace) -> bool:
    """The current folder was deleted (or moved) under the shell, and a path is relative to it: a
    traceback from os.path.abspath, in the CLI and the binary alike (a hostile pass)."""
    relative = [p for p in args.paths if not os.path.isabs(p)]
    relative += [p for p in (args.out, args.model) if p and p != "-" and not os.path.isabs(p)]
    if not relative:
        return False
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def _refused(args: argparse.Namespace, closed: frozenset[str]) -> str:
    """Why these classify arguments make no run, in one sentence, or ""."""
    if "" in args.paths or args.out == "" or args.model == "":
        # An unset shell variable ("$DIR"): read as ".", it gave an error row ". does not exist.", and
        # --out "" said "The output  cannot be written" (--model "": "The model file . is a folder").
        what = ("--out is an empty name" if args.out == "" else "--model is an empty name" if args.model == ""
                else "a path given is empty")
        return f"{what} (an unset shell variable?); give a file or folder name"
    if args.out == "-" and (args.resume or args.overwrite):
        return f"--{'resume' if args.resume else 'overwrite'} is for a results file; give --out FILE"
    if args.out == "-" and "stdout" in closed:
        # Its rows went to the null device put there, and the summary said every file was answered.
        return "standard output is closed (>&-), so the results have nowhere to go; give --out FILE"
    return ""


def _main(argv: list[str] | None, closed: frozenset[str] = frozenset()) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:
        # A file named like an option ("-scan.png") gave only argparse's "the following arguments
        # are required: paths" (a hostile pass): name the file and the way to give it.
        given = sys.argv[1:] if argv is None else argv
        dashed = [a for a in given if a.startswith("-") and a != "-" and os.path.exists(a)] if e.code == 2 else []
        if dashed:  # ./NAME works as an image and as an option's value (--out ./-r.csv) alike
            print(f"digits: {dashed[0]} is named like an option; write it as ./{dashed[0]}", file=sys.stderr)
        raise
    if args.command == "classify" and (refused := _refused(args, closed)):
        print(f"digits: {refused}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "classify" and _folder_gone(args):
        print("digits: the current folder no longer exists (deleted or moved); change to a folder that exists, "
              "or give absolute paths", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "classify":
        try:
            return classify(args)
        except KeyboardInterrupt:  # while the engine (numpy, Pillow, LiteRT) is still being imported
            return EXIT_INTERRUPTED
        except MemoryError:
            # Importing the engine under a tight `ulimit -v` gave a traceback ending in "MemoryError" (a
            # hostile pass); a file that needs too much memory is an error row (engine.batch), not this.
            print("digits: out of memory (a memory limit such as `ulimit -v`, or too little free memory); "
                  "allow it more memory and run again", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
