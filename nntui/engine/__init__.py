"""The engine: everything that holds torch — datasets, models, the tutorial's replay, presets,
devices, and the one training loop that drives a single model or K stacked ones."""
