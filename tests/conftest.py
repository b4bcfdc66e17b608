import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Before anything imports Qt or TensorFlow: headless Qt with fixed pixels, settings in a temp dir.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_SCALE_FACTOR"] = "1"
os.environ.setdefault("LANG", "C.UTF-8")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="digits-config-")
# Removed at exit: the mutation check alone starts a pytest per mutation, each with its own folder
atexit.register(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True)
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="digits-data-")  # the app's data (a batch's kept results)
atexit.register(shutil.rmtree, os.environ["XDG_DATA_HOME"], ignore_errors=True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mnist_sample.npz"
SHARED = ROOT.parent / "shared" / "data" / "mnist.npz"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def mnist_fixture() -> Path:
    return FIXTURE


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The full MNIST file where it exists beside the repo, else the committed sample."""
    return SHARED if SHARED.exists() else FIXTURE


@pytest.fixture(scope="session")
def sample():
    with np.load(FIXTURE) as d:
        return {k: d[k] for k in d.files}


@pytest.fixture(scope="session")
def shipped():
    from desktop.engine.model_files import load_shipped

    return load_shipped()


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory, mnist_fixture):
    """A --quick training run of every model (one epoch on the sample), shared by the tests."""
    pytest.importorskip("tensorflow")
    from training import cli

    out = tmp_path_factory.mktemp("run")
    assert cli.main(["run", "--quick", "--data", str(mnist_fixture), "--out", str(out)]) == 0
    return out


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test starts with no remembered settings: the app writes them as they change (the tab,
    the geometry, the model), so one test's last tab would be the next test's first."""
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QSettings

        from desktop.app.state import APP, ORG

        s = QSettings(ORG, APP)
        s.clear()
        s.sync()
    yield


@pytest.fixture
def win(qtbot):
    """The main window, shown, with fresh settings (fresh_settings); the GUI tests' one window."""
    from desktop.app.main_window import MainWindow
    from desktop.app.state import AppState

    w = MainWindow(AppState.from_settings())
    qtbot.addWidget(w)
    w.show()
    return w
