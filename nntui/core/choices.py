"""The choices a config names, with what the UI and the CLI say of each: datasets, activations,
optimizers, model styles, initialisations, loaders and the tutorial cells a run can replay.

Adding one is a row here plus its implementation in the engine, which registers it under the same
name (`Implementations`); tests check that every row has one. The app and the CLI list the rows
without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

from nntui.core.registry import Registry

REGRESSION = "regression"
CLASSIFICATION = "classification"
TASKS = (REGRESSION, CLASSIFICATION)


@dataclass(frozen=True)
class Choice:
    name: str
    description: str


@dataclass(frozen=True)
class DatasetChoice:
    """`task` None: the data says (a CSV's targets); `input_dim` and `classes` None likewise."""

    name: str
    task: str | None
    description: str
    input_dim: int | None
    default_size: int = 2000
    classes: int | None = 2


def _registry(kind: str, rows: list) -> Registry:
    registry = Registry(kind)
    for row in rows:
        registry.add(row.name, row)
    return registry


DATASETS: Registry[DatasetChoice] = _registry(
    "dataset",
    [
        DatasetChoice("x2", REGRESSION, "the tutorial's y = x², x in [-1, 1)", 1, 14000),
        DatasetChoice("rings", CLASSIFICATION, "the tutorial's 3 classes by radius in [-1, 1)²", 2, 15000, 3),
        DatasetChoice("circle", CLASSIFICATION, "Playground: a disc inside a ring", 2),
        DatasetChoice("xor", CLASSIFICATION, "Playground: the sign of x·y", 2),
        DatasetChoice("gauss", CLASSIFICATION, "Playground: two Gaussian blobs", 2),
        DatasetChoice("spiral", CLASSIFICATION, "Playground: two interleaved spirals", 2),
        DatasetChoice("plane", REGRESSION, "Playground: y = (x1 + x2) / 2", 2),
        DatasetChoice("multi-gauss", REGRESSION, "Playground: ±1 Gaussian bumps", 2),
        DatasetChoice(
            "csv", None, "a CSV file: numeric columns, the last one the target", None, classes=None
        ),
    ],
)

ACTIVATIONS: Registry[Choice] = _registry(
    "activation",
    [
        Choice("relu", "max(0, x)"),
        Choice("tanh", "hyperbolic tangent"),
        Choice("sigmoid", "1 / (1 + e^-x)"),
        Choice("identity", "no activation: the network stays linear"),
        Choice("leaky_relu", "max(0.01 x, x)"),
        Choice("gelu", "Gaussian error linear unit"),
    ],
)

OPTIMIZERS: Registry[Choice] = _registry(
    "optimizer",
    [
        Choice("sgd", "plain gradient descent, as the tutorial"),
        Choice("momentum", "SGD with momentum (training.momentum)"),
        Choice("adam", "Adam"),
    ],
)

STYLES: Registry[Choice] = _registry(
    "style",
    [
        Choice("nn", "torch.nn modules and torch.optim"),
        Choice("scratch", "tensors and hand-written SGD, as the tutorial's first cells"),
    ],
)

INITS: Registry[Choice] = _registry(
    "init",
    [
        Choice("default", "torch.nn's own initialisation"),
        Choice("uniform", "every weight and bias from U[-1, 1)"),
        Choice("demo", "the tutorial's random network"),
    ],
)

LOADERS: Registry[Choice] = _registry(
    "loader",
    [
        Choice("index", "batches sliced from tensors on the device"),
        Choice("dataloader", "draws random numbers as torch's DataLoader does, to replay the tutorial"),
    ],
)


@dataclass(frozen=True)
class Replay:
    """A tutorial cell a run can start from, and the data that cell trains on."""

    name: str
    dataset: str
    size: int
    n_val: int


_X2_CELLS = ("manual-relu", "no-activation", "sequential", "module", "optim", "minibatch", "tensordataset")
REPLAYS: Registry[Replay] = _registry(
    "replay",
    [
        Replay("random-network", "x2", 10000, 0),
        Replay("first-step", "x2", 10000, 0),
        *(Replay(name, "x2", 10000, 0) for name in (*_X2_CELLS, "dataloader")),
        Replay("validation", "x2", 14000, 4000),
        Replay("classification", "rings", 15000, 5000),
    ],
)
