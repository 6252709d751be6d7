import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tests train tiny networks: one thread is as fast and leaves the other core free."""
    torch.set_num_threads(1)
