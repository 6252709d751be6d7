"""The Textual face of nntui. Nothing here is imported by the engine, and nothing in this package
may import torch before the app has painted its first frame."""
