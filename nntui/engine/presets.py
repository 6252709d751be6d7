"""Every experiment of the tutorial as a named preset, with the figures the tutorial printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from nntui.core.choices import DATASETS
from nntui.core.config import DataConfig, Layer, ModelConfig, RunConfig, TrainingConfig
from nntui.core.registry import Registry
from nntui.engine.printed import LOSS_AFTER, LOSS_BEFORE, OUTPUT_SHAPE, Printed, compare, short_lines
from nntui.engine.timing import duration, time_calls


@dataclass(frozen=True)
class Preset:
    """A run config, or for the one timing demo a `demo` that returns lines to show.

    `figures` maps epoch to the (train, validation) loss the tutorial printed; the train figure
    is the last batch's loss, which nntui reports as `batch_loss`. `exact` says whether they
    reproduce digit for digit on CPU; `in_loop_val_slip` is the factor by which the tutorial's
    in-loop validation figures (all but the last) are off. `printed` are the other things the
    tutorial printed in that cell (tensors, losses to 4 decimals), set beside nntui's own;
    `val_batch_size` the tutorial's validation batches, where unequal ones make its validation
    loss (a mean of batch means) differ from nntui's mean over every point.
    """

    name: str
    summary: str
    config: RunConfig | None = None
    demo: Callable[[], list[str]] | None = None
    figures: dict[int, tuple[float, float | None]] = field(default_factory=dict)
    accuracy: tuple[float, float] | None = None
    notes: str = ""
    exact: bool = True
    in_loop_val_slip: float = 1.0
    printed: tuple[Printed, ...] = ()
    val_batch_size: int | None = None


PRESETS: Registry[Preset] = Registry("preset")

_X2 = DataConfig(dataset="x2", size=10000, val_share=0.0)
_RELU_100 = ModelConfig(hidden=(Layer(100, "relu"),))
_FULL_BATCH = TrainingConfig(optimizer="sgd", lr=0.001, epochs=1000, batch_size=0)
_SLICED = TrainingConfig(optimizer="sgd", lr=0.001, epochs=1000, batch_size=1000)
_LOADER = TrainingConfig(optimizer="sgd", lr=0.001, epochs=1000, batch_size=1000, loader="dataloader")
_EPOCHS = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999]


def _train_figures(*losses: float) -> dict[int, tuple[float, None]]:
    return {epoch: (loss, None) for epoch, loss in zip(_EPOCHS, losses)}


def _add(name: str, summary: str, config: RunConfig | None = None, **extra) -> None:
    if config is not None:
        config = RunConfig.from_dict({**config.to_dict(), "name": name})
    PRESETS.add(name, Preset(name, summary, config, **extra))


_SINGLE_NEURON = (
    Printed(
        "Input",
        """tensor([[0.8823],
        [0.9150],
        [0.3829],
        ...,
        [0.2181],
        [0.9120],
        [0.4111]])""",
        "Input = torch.rand(10000, 1)",
    ),
    Printed("W1", "tensor([[0.5414]])", "W1 = 2*torch.rand(1, 1)-1"),
    Printed("B1", "tensor([-0.8311])", "B1 = 2*torch.rand(1)-1"),
    Printed(
        "Output",
        """tensor([[-0.3534],
        [-0.3357],
        [-0.6238],
        ...,
        [-0.7130],
        [-0.3373],
        [-0.6085]])""",
        "Output = Input*W1 + B1",
    ),
)
TUTORIAL_TIMES_S = {"loop": 171e-3, "matmul": 584e-6}  # %time's wall times, one cold call each
COLD_TIMING = (
    "One cold call, as %time makes, also times one-off costs (first allocation, cold caches, "
    "lazy set-up) and whatever else the machine does at that moment, so it swings from run to "
    "run; the best of several warm repeats is what the code itself costs."
)


def for_loop_vs_matmul(size: int = 10000, repeat: int = 5) -> list[str]:
    """The tutorial's first cells: one neuron applied to 10,000 inputs by a Python loop, then by
    one matmul, on the tutorial's own draws; timed as timeit does, beside its %time figures."""
    g = torch.Generator().manual_seed(42)
    inputs = torch.rand(size, 1, generator=g)
    weight, bias = 2 * torch.rand(1, 1, generator=g) - 1, 2 * torch.rand(1, generator=g) - 1
    output = torch.empty(size, 1)

    def loop() -> torch.Tensor:
        for i in range(size):
            output[i] = inputs[i] * weight + bias
        return output

    loop_time = time_calls(loop, repeat)
    matmul_time = time_calls(lambda: inputs @ weight + bias, repeat)
    same = torch.allclose(loop(), inputs @ weight + bias)
    ours = {"Input": inputs, "W1": weight, "B1": bias, "Output": output}
    lines = short_lines(compare(_SINGLE_NEURON, ours) if size == 10000 else [])
    theirs = TUTORIAL_TIMES_S
    lines += [
        "",
        f"timed as timeit does: a warm-up, then the best of {repeat} repeats, per call (median beside)",
        f"{'':<22}{'tutorial %time':<16}{'nntui best':<12}median",
    ]
    for label, key, timing in [
        (f"for loop ({size})", "loop", loop_time),
        ("matmul Input@W1 + B1", "matmul", matmul_time),
    ]:
        lines.append(
            f"{label:<22}{duration(theirs[key]):<16}{duration(timing.best_s):<12}"
            f"{duration(timing.median_s)}   ({timing.calls} call{'s' if timing.calls > 1 else ''} a repeat)"
        )
    tutorial_ratio = f"{theirs['loop'] / theirs['matmul']:,.0f}×"
    lines += [
        f"{'matmul faster by':<22}{tutorial_ratio:<16}"
        f"{loop_time.best_s / matmul_time.best_s:,.0f}×; same output: {'yes' if same else 'no'}",
        "",
        COLD_TIMING,
    ]
    return lines


_add(
    "for-loop-vs-matmul",
    "one neuron on the tutorial's first tensors, by Python loop vs one matrix multiply, timed",
    demo=for_loop_vs_matmul,
    printed=_SINGLE_NEURON,
)
_RANDOM_INPUT = """tensor([[-0.6009],
        [-0.5854],
        [ 0.5283],
        ...,
        [ 0.7124],
        [ 0.3041],
        [-0.7577]])"""
_RANDOM_X1 = """tensor([[ 0.9557, -0.2965,  0.2151,  ..., -0.5407,  0.9081, -0.3212],
        [ 0.9472, -0.3104,  0.2025,  ..., -0.5394,  0.9031, -0.3203],
        [ 0.3358, -1.3050, -0.6986,  ..., -0.4457,  0.5417, -0.2584],
        ...,
        [ 0.2347, -1.4695, -0.8477,  ..., -0.4302,  0.4820, -0.2482],
        [ 0.4588, -1.1048, -0.5172,  ..., -0.4645,  0.6145, -0.2709],
        [ 1.0418, -0.1565,  0.3420,  ..., -0.5539,  0.9590, -0.3299]])"""
_RANDOM_RELU_X1 = """tensor([[0.9557, 0.0000, 0.2151,  ..., 0.0000, 0.9081, 0.0000],
        [0.9472, 0.0000, 0.2025,  ..., 0.0000, 0.9031, 0.0000],
        [0.3358, 0.0000, 0.0000,  ..., 0.0000, 0.5417, 0.0000],
        ...,
        [0.2347, 0.0000, 0.0000,  ..., 0.0000, 0.4820, 0.0000],
        [0.4588, 0.0000, 0.0000,  ..., 0.0000, 0.6145, 0.0000],
        [1.0418, 0.0000, 0.3420,  ..., 0.0000, 0.9590, 0.0000]])"""
_RANDOM_PRINTS = {
    "identity": (
        Printed("Input", _RANDOM_INPUT, "Input, 2·rand−1"),
        Printed("X1.shape", "torch.Size([10000, 100])"),
        Printed("X1", _RANDOM_X1, "X1 = Input@W1 + B1"),
        Printed("Output.shape", "torch.Size([10000, 1])"),
        Printed(OUTPUT_SHAPE, "linear", "Output against Input (the tutorial's plot)"),
    ),
    "relu": (
        Printed("X1.clamp(0)", _RANDOM_RELU_X1, "X1.clamp(0), ReLU"),
        Printed("Output.shape", "torch.Size([10000, 1])"),
        Printed(OUTPUT_SHAPE, "non-linear", "Output against Input (the tutorial's plot)"),
    ),
}
_RANDOM_NOTE = (
    "This cell trains nothing and the tutorial computes no loss in it: it plots the untrained "
    "network's Output against Input: {what}. The train loss nntui reports for it ({loss}) is the "
    "mean squared distance of that random output from the x² targets nntui draws for reference: "
    "the error of a network that has learnt nothing yet."
)
for _activation, _what, _loss in [
    ("identity", "a straight line, since without an activation the layers only multiply and add", "46.6"),
    (
        "relu",
        "it bends, since ReLU zeroes each hidden unit below its own kink and the output adds up "
        "those bent pieces (it does not take ReLU's own shape)",
        "1717",
    ),
]:
    _add(
        f"random-{_activation}",
        f"an untrained random 1-100-1 network, {'linear' if _activation == 'identity' else 'ReLU'} "
        "hidden layer: the output's shape (targets x² drawn for reference)",
        RunConfig(
            replay="random-network",
            data=_X2,
            model=ModelConfig(hidden=(Layer(100, _activation),), init="demo"),
            training=TrainingConfig(epochs=0),
        ),
        printed=_RANDOM_PRINTS[_activation],
        notes=_RANDOM_NOTE.format(what=_what, loss=_loss),
    )
_add(
    "first-step",
    "from scratch: the random 1-100-1 network's MSE, one hand-written update, the MSE again",
    RunConfig(
        replay="first-step",
        style="scratch",
        data=_X2,
        model=ModelConfig(hidden=(Layer(100, "relu"),), init="uniform"),
        training=TrainingConfig(optimizer="sgd", lr=0.001, epochs=1, batch_size=0),
    ),
    printed=(
        Printed(LOSS_BEFORE, "tensor(2.9038, grad_fn=<MeanBackward0>)", "Loss of the random weights"),
        Printed(LOSS_AFTER, "tensor(2.7102, grad_fn=<MeanBackward0>)", "Loss after one update"),
    ),
)
_add(
    "manual-relu",
    "from scratch: tensors with requires_grad, ReLU, hand-written gradient descent",
    RunConfig(
        replay="manual-relu",
        style="scratch",
        data=_X2,
        model=ModelConfig(hidden=(Layer(100, "relu"),), init="uniform"),
        training=_FULL_BATCH,
    ),
    figures=_train_figures(
        1.3800901174545288,
        0.22866958379745483,
        0.1459691822528839,
        0.09707656502723694,
        0.06567448377609253,
        0.0454106368124485,
        0.03228699788451195,
        0.02371649444103241,
        0.018053771927952766,
        0.014254206791520119,
        0.011682878248393536,
    ),
)
_add(
    "no-activation",
    "the same from-scratch network with no activation: it can only fit a line",
    RunConfig(
        replay="no-activation",
        style="scratch",
        data=_X2,
        model=ModelConfig(hidden=(Layer(100, "identity"),), init="uniform"),
        training=_FULL_BATCH,
    ),
    figures=_train_figures(
        1.5926787853240967,
        0.08801382035017014,
        0.08771540224552155,
        0.08771520107984543,
        0.08771520107984543,
        0.08771520107984543,
        0.08771520107984543,
        0.08771519362926483,
        0.08771519362926483,
        0.08771519362926483,
        0.08771519362926483,
    ),
)
_add(
    "sequential",
    "torch.nn.Sequential with a hand-written parameter update",
    RunConfig(replay="sequential", data=_X2, model=_RELU_100, training=_FULL_BATCH),
    figures=_train_figures(
        0.09116117656230927,
        0.07772304862737656,
        0.07228375226259232,
        0.06723042577505112,
        0.06253289431333542,
        0.05816524475812912,
        0.054103784263134,
        0.05032665655016899,
        0.046813737601041794,
        0.04354659467935562,
        0.040537431836128235,
    ),
)
_add(
    "module",
    "a torch.nn.Module subclass with a forward method",
    RunConfig(replay="module", data=_X2, model=_RELU_100, training=_FULL_BATCH),
    figures=_train_figures(
        0.5430305004119873,
        0.0666835829615593,
        0.05978963151574135,
        0.05438756197690964,
        0.049601368606090546,
        0.04527349770069122,
        0.04134185612201691,
        0.03776630014181137,
        0.034514039754867554,
        0.031555745750665665,
        0.028890695422887802,
    ),
)
_add(
    "optim",
    "torch.optim.SGD does the update",
    RunConfig(replay="optim", data=_X2, model=_RELU_100, training=_FULL_BATCH),
    figures=_train_figures(
        0.15619592368602753,
        0.05511590093374252,
        0.04935644194483757,
        0.045497287064790726,
        0.04216627776622772,
        0.03911922872066498,
        0.03629707172513008,
        0.03367684409022331,
        0.031243260949850082,
        0.028983399271965027,
        0.02690545655786991,
    ),
)
_add(
    "minibatch",
    "mini-batches of 1000 by slicing the tensors",
    RunConfig(replay="minibatch", data=_X2, model=_RELU_100, training=_SLICED),
    figures=_train_figures(
        0.3917778730392456,
        0.047100380063056946,
        0.027526233345270157,
        0.01595677062869072,
        0.009315085597336292,
        0.005606395658105612,
        0.0035743031185120344,
        0.0024663754738867283,
        0.0018539407756179571,
        0.0015028283232823014,
        0.0012905359035357833,
    ),
)
_add(
    "tensordataset",
    "mini-batches sliced from a TensorDataset",
    RunConfig(replay="tensordataset", data=_X2, model=_RELU_100, training=_SLICED),
    figures=_train_figures(
        0.10118892788887024,
        0.021638544276356697,
        0.008815986104309559,
        0.0038014284800738096,
        0.0018760001985356212,
        0.00113735964987427,
        0.0008451624307781458,
        0.0007190657779574394,
        0.0006547732627950609,
        0.0006139452452771366,
        0.000582836742978543,
    ),
)
_add(
    "dataloader",
    "mini-batches from a DataLoader (nntui slices, drawing random numbers as DataLoader does)",
    RunConfig(replay="dataloader", data=_X2, model=_RELU_100, training=_LOADER),
    figures=_train_figures(
        0.10962165892124176,
        0.026488548144698143,
        0.010075720958411694,
        0.004697981756180525,
        0.002938089892268181,
        0.0023369460832327604,
        0.002102144295349717,
        0.001983444672077894,
        0.0019027324160560966,
        0.0018357851076871157,
        0.0017756690504029393,
    ),
)
_add(
    "validation",
    "a separate validation set of 4000 points, checked every 100 epochs",
    RunConfig(
        replay="validation",
        data=DataConfig(dataset="x2", size=14000, val_share=2 / 7),
        model=_RELU_100,
        training=TrainingConfig(lr=0.001, epochs=1000, batch_size=1000, loader="dataloader", val_every=100),
    ),
    figures=dict(
        zip(
            _EPOCHS,
            [
                (0.13967250287532806, 0.14241859316825867),
                (0.041266076266765594, 0.0435674786567688),
                (0.01690182462334633, 0.017931733280420303),
                (0.006995978765189648, 0.00747634656727314),
                (0.0030869573820382357, 0.003329621162265539),
                (0.0015749171143397689, 0.0017123932484537363),
                (0.0009913836838677526, 0.0010800831951200962),
                (0.0007597575895488262, 0.0008243080810643733),
                (0.0006598331383429468, 0.0007114642066881061),
                (0.0006090560927987099, 0.0006531901890411973),
                (0.0005771310534328222, 0.0006165735539980233),
            ],
        )
    ),
)
_add(
    "classification",
    "3 classes by radius: 2-100-100-3 ReLU network, cross-entropy, shuffled batches",
    RunConfig(
        replay="classification",
        data=DataConfig(dataset="rings", size=15000, val_share=1 / 3),
        model=ModelConfig(hidden=(Layer(100, "relu"), Layer(100, "relu"))),
        training=TrainingConfig(
            lr=0.01, epochs=1000, batch_size=1000, shuffle=True, loader="dataloader", val_every=100
        ),
    ),
    figures=dict(
        zip(
            _EPOCHS,
            [
                (1.0692033767700195, 1.6002000570297241),
                (0.7870098948478699, 1.2232086658477783),
                (0.5144855380058289, 0.7721951007843018),
                (0.3202561140060425, 0.47720080614089966),
                (0.22362343966960907, 0.3464054465293884),
                (0.18477129936218262, 0.2803383469581604),
                (0.15685611963272095, 0.24029332399368286),
                (0.14225637912750244, 0.21260468661785126),
                (0.13021738827228546, 0.19212421774864197),
                (0.10743986815214157, 0.17630931735038757),
                (0.1008223295211792, 0.10922089964151382),
            ],
        )
    ),
    exact=False,
    in_loop_val_slip=1.5,
    accuracy=(0.9822999835014343, 0.9818000197410583),
    val_batch_size=2000,
    notes=(
        "The tutorial's validation loss adds the loss of each validation batch and divides by "
        "a count of batches. In the loop that count is len(Validation_Data), the regression "
        "loader's 2 batches, not the 3 of the classification loader, so the in-loop figures are "
        "1.5x too large (val÷1.5 above). Its final line divides by the right 3: a mean of three "
        "batch means, of 2,000, 2,000 and 1,000 points, in which the last 1,000 points weigh twice "
        "as much as the others. nntui's val loss is the mean over all 5,000 points; both are shown. "
        "Its shuffling matches today's DataLoader, not the release the tutorial ran on, so figures "
        "agree in distribution, not digit for digit."
    ),
)
# Playground's own setup (tensorflow/playground src/state.ts and playground.ts): 500 points (1,200
# for regression), half for training, batches of 10 in a fixed order, SGD at 0.03, two tanh
# layers of 4 and 2, one tanh output against labels ±1 (linear for regression) with loss
# ½(out−y)², weights U(-0.5, 0.5), biases 0.1, on its [-6, 6]² plane.
for _name in ("circle", "xor", "gauss", "spiral", "plane", "multi-gauss"):
    _add(
        f"playground-{_name}",
        f"TensorFlow Playground's own setup on its {_name} data: 4-2 tanh, SGD 0.03, batches of 10, "
        "½(out−y)², U(-0.5, 0.5) weights",
        RunConfig.from_dict(
            {
                "data": {
                    "dataset": _name,
                    "size": DATASETS.get(_name).default_size,
                    "val_share": 0.5,
                    "extent": 6.0,
                },
                "model": {
                    "hidden": "4 tanh, 2 tanh",
                    "features": "x1,x2",
                    "output": "playground",
                    "init": "playground",
                },
                "training": {"optimizer": "sgd", "lr": 0.03, "epochs": 300, "batch_size": 10},
            }
        ),
    )
# nntui's better defaults on Playground's data: softmax and cross-entropy, Adam, wider layers.
for _name, _hidden, _epochs in [
    ("circle", "8 tanh", 200),
    ("xor", "8 tanh, 8 tanh", 200),
    ("spiral", "16 tanh, 16 tanh", 400),
]:
    _add(
        f"better-{_name}",
        f"better defaults on Playground's {_name} data: {_hidden}, cross-entropy, Adam, mini-batches of 50",
        RunConfig.from_dict(
            {
                "data": {"dataset": _name, "size": 1000, "val_share": 0.5, "noise": 0.05},
                "model": {"hidden": _hidden},
                "training": {
                    "optimizer": "adam",
                    "lr": 0.01,
                    "epochs": _epochs,
                    "batch_size": 50,
                    "shuffle": True,
                },
            }
        ),
    )
