"""K runs trained as one computation (stacked weights, one batched matmul, one stacked update),
and when that is possible and pays. The runs may differ in learning rate (one per variant in the
update) and in their layers' widths (padded to the widest, the padding held at zero)."""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F

from nntui.core.choices import CLASSIFICATION
from nntui.core.config import RunConfig, changed_fields, estimated_bytes, paths_where, rule_of
from nntui.core.events import Event, Snapshot, Started
from nntui.engine.activations import ACTIVATION_FUNCTIONS
from nntui.engine.loop import Figures, Observe, RunControl, Steps, train
from nntui.engine.model import classes_of, tanh_output, weight_penalty
from nntui.engine.stacked import StackedOptimizer
from nntui.engine.trainer import Trainer
from nntui.engine.tutorial import draw_loop_start


def batch_problem(configs: list[RunConfig]) -> str | None:
    """Why these configs cannot train as one batched computation; None when they can. They may
    differ only in the fields the field table marks batchable (name, seeds, initialisation, the
    hidden layers' activations and widths, the learning rate)."""
    if len(configs) < 2:
        return "only one variant"
    differ = sorted({path for config in configs[1:] for path in changed_fields(configs[0], config)})
    refused = [path for path in differ if not rule_of(path).batchable]
    if refused:
        return (
            f"the variants differ in {', '.join(refused)}; they may differ only in "
            f"{', '.join(paths_where('batchable'))}"
        )
    return None


# benchmarks/compare_bench.py on one CPU thread: batching K runs pays while their activations
# stay small (K × batch rows × widest layer up to about half a million floats: 3.7x faster for
# five 1-16-16-2 networks, 1.2x for five 1-100-1 with batches of 1000); beyond, as for five
# 1-100-1 networks on 10,000 points at once, one run at a time uses the caches better.
CPU_BATCH_LIMIT = 2**19


def batching_pays(trainers: list[Trainer]) -> bool:
    """Whether batched training is expected to beat one run after another, as measured."""
    first = trainers[0]
    if first.device.type != "cpu":
        return True
    return len(trainers) * activation_size(trainers) <= CPU_BATCH_LIMIT


def activation_size(trainers: list[Trainer]) -> int:
    """Floats in one batched variant's widest activation: a batch's rows × the widest layer."""
    first = trainers[0]
    rows = first.config.training.batch_size or len(first.data.x_train)
    return rows * max(max(trainer.dims[1:]) for trainer in trainers)


def chunk_size(configs: list[RunConfig], device: torch.device) -> int:
    """How many of these variants (a sweep's grid) to train as one computation: on a CPU as many
    as batching pays for (`CPU_BATCH_LIMIT`), on a GPU as many as fit in half its free memory."""
    widest = max(max((layer.units for layer in c.model.hidden), default=1) for c in configs)
    first = configs[0]
    rows = first.training.batch_size or first.n_points - first.n_val
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return max(1, free // 2 // max(estimated_bytes(c) for c in configs))
    return max(1, CPU_BATCH_LIMIT // (rows * widest))


class BatchedRun(Steps):
    """K runs with the same number of layers, trained as one computation: each layer's K weight
    matrices are stacked and applied with one batched matmul (torch.baddbmm), and one stacked
    update (engine/stacked.py) steps all K, each with its own learning rate. Narrower layers are
    padded with zero weights to the widest and their padded units masked to zero after the
    activation, so the padding gets no gradient and stays zero. The updates are elementwise and
    the K losses independent, so every run follows its own trajectory, as if trained alone, to
    float rounding. The one loop
    (engine/loop.py) drives it as it drives a single run: pause, step, live lr, out-of-memory.

    Each run keeps its own Trainer: its generator draws the shuffles as a lone run would, and at the
    end its model and optimizer receive their slice of the trained weights, ready to save."""

    def __init__(
        self, trainers: list[Trainer], control: RunControl | None = None, observe: Observe | None = None
    ) -> None:
        problem = batch_problem([trainer.config for trainer in trainers])
        if problem:
            raise ValueError(f"cannot batch these runs: {problem}")
        self.trainers = trainers
        self.count = len(trainers)
        self.control = control or RunControl()
        self.observe = observe or Observe()
        self.config = config = trainers[0].config
        self.data = trainers[0].data
        self.device = trainers[0].device
        self.epochs_done = trainers[0].epochs_done
        own = [list(trainer.model.parameters()) for trainer in trainers]
        self.params = [
            _stack_padded([params[index].detach() for params in own]).requires_grad_()
            for index in range(len(own[0]))
        ]
        self.layers = len(config.model.hidden) + 1
        self.activations = [
            self._activation([trainer.config.model.hidden[index].activation for trainer in trainers])
            for index in range(len(config.model.hidden))
        ]
        self.features = trainers[0].model.features
        self.tanh_output = tanh_output(config)
        training = config.training
        self.penalty = None
        if training.regularization != "none" and training.reg_rate:
            weights = self.params[:: 2 if config.model.bias else 1]
            rate, kind = training.reg_rate, training.regularization
            self.penalty = lambda: rate * weight_penalty(kind, weights, runs=True)
        self.masks = [self._mask(index) for index in range(len(config.model.hidden))]
        self.optimizer = StackedOptimizer(
            self.params,
            "sgd" if config.style == "scratch" else training.optimizer,
            [trainer.config.training.lr for trainer in trainers],
            training.momentum,
            training.weight_decay,
        )

    def events(self) -> Iterator[tuple[int, Event]]:
        """(run index, event) pairs: each run's stream, as its Trainer would report it."""
        return train(self, self.control, self.observe)

    def _activation(self, names: list[str]):
        scratch = self.config.style == "scratch"
        functions = [
            ACTIVATION_FUNCTIONS.get(name).scratch if scratch else ACTIVATION_FUNCTIONS.get(name).module()
            for name in names
        ]
        if len(set(names)) == 1:
            return functions[0]
        return lambda x: torch.stack([function(x[k]) for k, function in enumerate(functions)])

    def _mask(self, layer: int) -> torch.Tensor | None:
        """(K, 1, widest) ones on each variant's own units of hidden layer `layer`, zeros on its
        padding; None when every variant has the same width there."""
        widths = [trainer.config.model.hidden[layer].units for trainer in self.trainers]
        if len(set(widths)) == 1:
            return None
        units = torch.arange(max(widths), device=self.device)
        return (units < torch.tensor(widths, device=self.device).unsqueeze(1)).float().unsqueeze(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(K, batch, inputs) to (K, batch, outputs)."""
        bias = self.config.model.bias
        step = 2 if bias else 1
        if self.features is not None:
            x = self.features(x)
        for index in range(self.layers):
            weight = self.params[index * step]
            if self.config.style == "nn":
                weight = weight.transpose(1, 2)
            if bias:
                x = torch.baddbmm(self.params[index * step + 1].unsqueeze(1), x, weight)
            else:
                x = torch.bmm(x, weight)
            if index < len(self.activations):
                x = self.activations[index](x)
                if self.masks[index] is not None:
                    x = x * self.masks[index]
        return torch.tanh(x) if self.tanh_output else x

    def loss(self, predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Each run's loss, shape (K,)."""
        if self.config.model.output == "playground":
            target = (2 * target - 1).unsqueeze(-1) if self.data.task == CLASSIFICATION else target
            return 0.5 * (predicted - target).pow(2).mean((1, 2))
        if self.data.task == CLASSIFICATION:
            losses = F.cross_entropy(predicted.flatten(0, 1), target.flatten(), reduction="none")
            return losses.view(len(predicted), -1).mean(1)
        return (target - predicted).pow(2).mean((1, 2))

    def started(self) -> list[Started]:
        return [trainer.started_event() for trainer in self.trainers]

    @property
    def train_size(self) -> int:
        return len(self.data.x_train)

    def lr(self) -> float:
        return self.optimizer.lrs[0]

    def lrs(self) -> list[float]:
        return list(self.optimizer.lrs)

    def set_lr(self, lr: float) -> None:
        """A learning rate set live applies to every variant (a sweep's rates become one)."""
        self.optimizer.set_lrs([lr] * self.count)

    def _batches(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Every run's epoch data, (K, n, …), permuted by its own generator when shuffling."""
        # Trainer._batches draws each run's shuffle exactly as a lone run would.
        epoch_data = [trainer._batches() for trainer in self.trainers]
        if self.config.training.shuffle:
            return torch.stack([x for x, _ in epoch_data]), torch.stack([y for _, y in epoch_data])
        x, y = self.data.x_train, self.data.y_train
        return x.expand(self.count, *x.shape), y.expand(self.count, *y.shape)

    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        with torch.no_grad():
            predicted = self.forward(x.expand(self.count, *x.shape))
            target = y.expand(self.count, *y.shape)
            accuracy = None
            if self.data.task == CLASSIFICATION:
                accuracy = classes_of(predicted).eq(target).float().mean(1)
            return self.loss(predicted, target), accuracy

    def epoch(self, evaluated: bool, control: RunControl) -> tuple[int, Figures] | None:
        data = self.data
        batch_size = self.config.training.batch_size or len(data.x_train)
        classify = evaluated and data.task == CLASSIFICATION
        x, y = self._batches()
        losses, correct = [], []
        last = x.shape[1] - 1
        for begin in range(0, x.shape[1], batch_size):
            if control.stop_requested:
                return None
            xb, yb = x[:, begin : begin + batch_size], y[:, begin : begin + batch_size]
            predicted = self.forward(xb)
            loss = self.loss(predicted, yb)
            (loss if self.penalty is None else loss + self.penalty()).sum().backward()
            if begin + batch_size > last:
                grad_norm = (
                    torch.stack([p.grad.flatten(1).pow(2).sum(1) for p in self.params if p.grad is not None])
                    .sum(0)
                    .sqrt()
                )
            self.optimizer.step()
            self.optimizer.zero_grad()
            losses.append(loss.detach())
            if classify:
                correct.append(classes_of(predicted.detach()).eq(yb).sum(1))
        return len(losses), self.epoch_figures(losses, correct, grad_norm, evaluated)

    def before_validation(self) -> None:
        if self.config.training.loader == "dataloader":
            for trainer in self.trainers:
                draw_loop_start(trainer.generator)

    def finish(self) -> None:
        """Give each run's Trainer its slice of the weights and of the optimizer state."""
        for index, trainer in enumerate(self.trainers):
            own = list(trainer.model.parameters())
            with torch.no_grad():
                for stacked, param in zip(self.params, own):
                    param.copy_(_unpadded(stacked[index], param))
            if isinstance(trainer.optimizer, torch.optim.Optimizer):
                for number, param in enumerate(trainer.optimizer.param_groups[0]["params"]):
                    state = self.optimizer.variant_state(number, index)
                    if state:
                        trainer.optimizer.state[param] = {
                            key: value if value.dim() == 0 else _unpadded(value, param)
                            for key, value in state.items()
                        }
            for group in trainer.optimizer.param_groups:
                group["lr"] = self.optimizer.lrs[index]
            trainer.epochs_done = self.epochs_done

    def snapshots(self) -> list[Snapshot]:
        """Each run's predictions: its weights are handed back first (cheap for these sizes)."""
        self.finish()
        return [trainer.snapshot() for trainer in self.trainers]


def _stack_padded(tensors: list[torch.Tensor]) -> torch.Tensor:
    """(K, …) of the tensors, each zero-padded at the end of every axis to the largest's shape."""
    shape = [max(sizes) for sizes in zip(*(tensor.shape for tensor in tensors))]
    stacked = tensors[0].new_zeros(len(tensors), *shape)
    for k, tensor in enumerate(tensors):
        stacked[(k, *(slice(0, size) for size in tensor.shape))] = tensor
    return stacked


def _unpadded(padded: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The part of a padded variant's tensor that is its own: `like`'s shape from the start."""
    return padded[tuple(slice(0, size) for size in like.shape)].clone()
