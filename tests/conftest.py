"""Shared fixtures: a small real area cut from the source files at test time.

``small_dataset`` ingests a few départements from the real sources (../shared/data);
``small_release`` builds and publishes a release of them into a temporary local store.
Both are session-scoped (one build per pytest worker).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(os.environ.get("REZONE_SOURCES", ROOT.parent / "shared" / "data"))
# Somme (Amiens, Hauts-de-France with ZAR), Bouches-du-Rhône (Marseille, PACA QPV 2024),
# Corse-du-Sud (Ajaccio), Paris.
SMALL_DEPS = ["80", "13", "2A", "75"]


def pytest_collection_modifyitems(config, items):
    if not (SOURCES / "sources.json").is_file():
        skip = pytest.mark.skip(reason=f"no source mirror at {SOURCES}")
        for item in items:
            if "needs_sources" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    if not (SOURCES / "sources.json").is_file():
        pytest.skip(f"no source mirror at {SOURCES}")
    return SOURCES


@pytest.fixture(scope="session")
def small_dataset(sources_dir):
    from rezone_build.ingest import ingest

    return ingest(sources_dir, departements=SMALL_DEPS, progress=False)


@pytest.fixture(scope="session")
def small_release(tmp_path_factory, small_dataset):
    """A published release of SMALL_DEPS in a temporary local store: dict(store, version, release_dir)."""
    from rezone_build.pipeline import build_release

    work = tmp_path_factory.mktemp("work")
    store = tmp_path_factory.mktemp("store")
    res = build_release(None, store, work, departements=SMALL_DEPS, dataset=small_dataset, quiet=True)
    return {"store": store, "version": res["version"], "release_dir": Path(res["release_dir"]), "result": res}


@pytest.fixture(scope="module")
def small_release_port(small_release):
    """The local server (same handlers) on a free port, serving the small release."""
    import threading

    from rezone import release
    from rezone_infra.server import make_server

    srv = make_server(str(small_release["store"]), port=0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()
    release.reset()


@pytest.fixture
def live_store(small_release, monkeypatch):
    """Point the serving library at the small release's store (fresh caches)."""
    from rezone import release

    monkeypatch.setenv("REZONE_STORE", str(small_release["store"]))
    release.reset(str(small_release["store"]))
    yield small_release
    release.reset()


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory):
    """The tiny hand-made release of tests/query_tiny.py, published and made current."""
    from query_tiny import publish_tiny
    from rezone import release

    root = tmp_path_factory.mktemp("tiny")
    publish_tiny(root)
    release.reset(str(root / "store"))
    yield release.current()
    release.reset()
