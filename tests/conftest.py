import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture
def data_copy(tmp_path):
    """A throw-away copy of data/ that a test may break."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def data_digest() -> dict[str, bytes]:
    """Bytes of every file under data/ (to prove nothing was changed)."""
    return {str(p.relative_to(DATA)): p.read_bytes() for p in sorted(DATA.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def _streamlit_navigation_only():
    """AppTest re-detects Streamlit's legacy ``pages/`` folder mode before every run, and in that
    mode a rerun goes straight to the last page's file, skipping app.py. The Atlas routes with
    st.navigation only; ``ui.serve`` tells the real server so, and this tells AppTest."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class NavigationOnly(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    original = app_test.PagesManager
    app_test.PagesManager = NavigationOnly
    yield
    app_test.PagesManager = original
