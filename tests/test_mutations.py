"""The suite catches deliberate bugs: each of scripts/mutation_check.py's mutations, on a copy of the repo.

It fails when a mutation survives (its tests still pass) and when a mutation's source text is no
longer in the code (update the mutation to the code as it is, never drop it silently).
"""
import importlib.util
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_check():
    spec = importlib.util.spec_from_file_location("mutation_check", ROOT / "scripts" / "mutation_check.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_every_mutation_is_caught():
    mc = load_check()
    table = io.StringIO()
    results = mc.check(out=table)
    print(table.getvalue())
    assert len(results) == len(mc.MUTATIONS) >= 8
    survivors = [r for r in results if not r["caught"]]
    assert not survivors, table.getvalue() + "".join(f"\n--- {r['mutation']}\n{r['log']}" for r in survivors)


def test_a_mutation_whose_text_is_gone_fails_loudly(tmp_path):
    import pytest

    mc = load_check()
    (tmp_path / "m.py").write_text("x = 1\n")
    gone = mc.Mutation("gone", "m.py", "x = 2\n", "x = 3\n", ("tests",))
    with pytest.raises(LookupError, match="0 times"):
        mc.apply(tmp_path, gone)
    assert (tmp_path / "m.py").read_text() == "x = 1\n"
