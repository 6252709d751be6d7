"""nntui: build, train and watch small PyTorch networks in the terminal."""

__version__ = "0.1.0"
