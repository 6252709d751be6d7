"""Time nntui's engine against the tutorial's own code for the same work, side by side.

Each case runs the tutorial's cell as written (global RNG put in the state the notebook had),
with torch's default threads as a notebook would, then the matching nntui preset with nntui's
default threads (one fewer than the cores), and prints both times, the ratio and both final
losses. `--same-threads` runs both sides with nntui's thread count instead.

    .venv/bin/python benchmarks/engine_bench.py            # 1000 epochs, as the tutorial
    .venv/bin/python benchmarks/engine_bench.py --epochs 100
"""

from __future__ import annotations

import argparse
import io
import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from nntui.cli.common import set_threads
from nntui.core.events import EpochEnd, Finished
from nntui.engine.presets import PRESETS
from nntui.engine.trainer import Observe, Trainer
from nntui.engine.tutorial import replay

NOTEBOOK_OUTPUT = io.StringIO()


class Net(torch.nn.Module):
    def __init__(self, *dims: int) -> None:
        super().__init__()
        layers: list[torch.nn.Module] = []
        for fan_in, fan_out in zip(dims, dims[1:]):
            layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
        self.Layer1 = torch.nn.Sequential(*layers[:-1])

    def forward(self, Input):
        return self.Layer1(Input)


def notebook_state(cell: str):
    generator, data = replay(cell)
    torch.set_rng_state(generator.get_state())
    return data


def tutorial_scratch(epochs: int) -> float:
    data = notebook_state("manual-relu")
    Input, Target = data.x_train, data.y_train
    W1 = torch.empty(1, 100).uniform_(-1, 1).requires_grad_(True)
    B1 = torch.empty(100).uniform_(-1, 1).requires_grad_(True)
    W2 = torch.empty(100, 1).uniform_(-1, 1).requires_grad_(True)
    B2 = torch.empty(1).uniform_(-1, 1).requires_grad_(True)
    learning_rate = 0.001
    for i in range(epochs):
        X1 = Input @ W1 + B1
        X2 = X1.clamp(0)
        Predicted = X2 @ W2 + B2
        Loss = (Target - Predicted).pow(2).mean()
        if i % 100 == 0:
            print(f"MSE for epoch {i} is {Loss}", file=NOTEBOOK_OUTPUT)
        Loss.backward()
        with torch.no_grad():
            W1 -= learning_rate * W1.grad
            B1 -= learning_rate * B1.grad
            W2 -= learning_rate * W2.grad
            B2 -= learning_rate * B2.grad
            W1.grad.zero_()
            B1.grad.zero_()
            W2.grad.zero_()
            B2.grad.zero_()
    return Loss.item()


def tutorial_optim(epochs: int) -> float:
    data = notebook_state("optim")
    Input, Target = data.x_train, data.y_train
    Model = Net(1, 100, 1)
    Loss_Function = torch.nn.MSELoss()
    Optimizer = torch.optim.SGD(Model.parameters(), lr=0.001)
    for i in range(epochs):
        Predicted = Model(Input)
        Loss = Loss_Function(Target, Predicted)
        if i % 100 == 0:
            print(f"MSE for epoch {i} is {Loss}", file=NOTEBOOK_OUTPUT)
        Loss.backward()
        Optimizer.step()
        Optimizer.zero_grad()
    return Loss.item()


def tutorial_slicing(epochs: int) -> float:
    data = notebook_state("minibatch")
    Input, Target = data.x_train, data.y_train
    Model = Net(1, 100, 1)
    Loss_Function = torch.nn.MSELoss()
    batch_size, sample_size = 1000, 10000
    Optimizer = torch.optim.SGD(Model.parameters(), lr=0.001)
    for epoch in range(epochs):
        i = 0
        for batch in range(sample_size // batch_size):
            X = Input[i : i + batch_size]
            Y = Target[i : i + batch_size]
            i += batch_size
            Predicted = Model(X)
            Loss = Loss_Function(Y, Predicted)
            Loss.backward()
            Optimizer.step()
            Optimizer.zero_grad()
    return Loss.item()


def tutorial_dataloader(epochs: int) -> float:
    data = notebook_state("dataloader")
    Train_Data = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=1000)
    Model = Net(1, 100, 1)
    Loss_Function = torch.nn.MSELoss()
    Optimizer = torch.optim.SGD(Model.parameters(), lr=0.001)
    for epoch in range(epochs):
        for X, Y in Train_Data:
            Predicted = Model(X)
            Loss = Loss_Function(Y, Predicted)
            Loss.backward()
            Optimizer.step()
            Optimizer.zero_grad()
    return Loss.item()


def tutorial_classification(epochs: int) -> float:
    data = notebook_state("classification")
    Train_DataLoader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=1000, shuffle=True)
    Validation_DataLoader = DataLoader(TensorDataset(data.x_val, data.y_val), batch_size=2000)
    Model = Net(2, 100, 100, 3)
    Loss_Function = torch.nn.CrossEntropyLoss()
    Optimizer = torch.optim.SGD(Model.parameters(), lr=0.01)
    for epoch in range(epochs):
        Model.train()
        for X, Y in Train_DataLoader:
            Predicted = Model(X)
            Loss = Loss_Function(Predicted, Y)
            Loss.backward()
            Optimizer.step()
            Optimizer.zero_grad()
        if epoch % 100 == 0:
            Model.eval()
            with torch.no_grad():
                sum(Loss_Function(Model(X), Y) for X, Y in Validation_DataLoader)
    Model.eval()
    with torch.no_grad():
        sum(Loss_Function(Model(X), Y) for X, Y in Validation_DataLoader)
    return Loss.item()


CASES = [
    ("full batch, from scratch", tutorial_scratch, "manual-relu"),
    ("full batch, torch.optim", tutorial_optim, "optim"),
    ("mini-batch slicing", tutorial_slicing, "minibatch"),
    ("DataLoader", tutorial_dataloader, "dataloader"),
    ("classification", tutorial_classification, "classification"),
]


def nntui_run(preset: str, epochs: int) -> float:
    config = PRESETS.get(preset).config.updated([f"training.epochs={epochs}"])
    last = None
    for event in Trainer(config, observe=Observe(flush_every_s=0.5)).events():
        if isinstance(event, EpochEnd):
            last = event.batch_loss
        assert not isinstance(event, Finished) or event.status == "finished"
    return last


def timed(threads: int, run, *args) -> tuple[float, float]:
    torch.set_num_threads(threads)
    began = time.perf_counter()
    loss = run(*args)
    return time.perf_counter() - began, loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--threads", type=int, help="nntui's torch threads (default: nntui's default)")
    parser.add_argument("--same-threads", action="store_true", help="run the tutorial with nntui's threads")
    parser.add_argument("--only", help="run only cases whose name contains this")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each side, alternating; the fastest counts (noisy VMs)"
    )
    args = parser.parse_args()
    tutorial_threads = torch.get_num_threads()
    set_threads(args.threads)
    nntui_threads = torch.get_num_threads()
    if args.same_threads:
        tutorial_threads = nntui_threads
    print(
        f"torch {torch.__version__}, {args.epochs} epochs; threads: tutorial {tutorial_threads}, "
        f"nntui {nntui_threads}; best of {args.repeat} alternating runs"
    )
    print(f"{'case':<26} {'tutorial s':>10} {'nntui s':>8} {'speed-up':>8}  ", end="")
    print(f"{'tutorial loss':>14} {'nntui loss':>14}")
    for name, tutorial, preset in CASES:
        if args.only and args.only not in name:
            continue
        theirs, ours = [], []
        for _ in range(args.repeat):
            theirs.append(timed(tutorial_threads, tutorial, args.epochs))
            ours.append(timed(nntui_threads, nntui_run, preset, args.epochs))
        (theirs_s, theirs_loss), (ours_s, ours_loss) = min(theirs), min(ours)
        print(
            f"{name:<26} {theirs_s:>10.2f} {ours_s:>8.2f} {theirs_s / ours_s:>7.2f}x  "
            f"{theirs_loss:>14.9g} {ours_loss:>14.9g}",
            flush=True,
        )


if __name__ == "__main__":
    main()
