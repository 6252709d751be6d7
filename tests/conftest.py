import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tests train tiny networks: one thread is as fast and leaves the other core free."""
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """Every run is saved: tests save theirs in a temporary directory, never the user's."""
    path = tmp_path / "runs"
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(path))
    return path
