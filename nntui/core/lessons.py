"""The lesson: the tutorial's experiments in its order, each an ordinary preset with a few lines
on what it shows and what to look for. `nntui lesson` and the app's lesson mode walk through it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    preset: str
    title: str
    text: str

    @property
    def demo(self) -> bool:
        """The timing demo: s runs it, there is nothing to train."""
        return self.preset == "for-loop-vs-matmul"


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "for-loop-vs-matmul",
        "One neuron, two ways",
        "A neuron multiplies its input by a weight and adds a bias. Done for 10,000 inputs one at "
        "a time in Python, that is slow; as one matrix multiply, torch does it all at once. Press s "
        "to time both: look at how many times faster the matmul is.",
    ),
    Lesson(
        "random-identity",
        "A random network, no activation",
        "100 hidden units, each a line through the input, added up by the output layer: lines "
        "added up are still a line. Look at the predictions: a straight line, whatever the "
        "weights. Nothing trains here (0 epochs).",
    ),
    Lesson(
        "random-relu",
        "The same network with ReLU",
        "ReLU sets every negative value to 0, so each hidden unit is flat up to its own kink and "
        "a line after it. Adding 100 such bent pieces gives a curve: the output bends, and it "
        "does not look like ReLU itself. That bending is what lets a network fit curves.",
    ),
    Lesson(
        "first-step",
        "Loss, and one step downhill",
        "The loss (mean squared error) says how far the random predictions are from x². Its "
        "gradient says which way each weight should move to lower it; one step of size lr moves "
        "them. Look at the loss before and after the one update: it drops.",
    ),
    Lesson(
        "manual-relu",
        "Training from scratch",
        "The same step, repeated 1,000 times over all 10,000 points. Watch the loss fall fast, "
        "then slowly, and the predictions take the parabola's shape.",
    ),
    Lesson(
        "no-activation",
        "Training without an activation",
        "Without ReLU the network can only ever be a line, so training finds the best line through "
        "the parabola and stops there: the loss flattens at about 0.088 and the predictions stay "
        "straight.",
    ),
    Lesson(
        "sequential",
        "torch.nn.Sequential",
        "The same network, written with torch.nn's Linear and ReLU layers, which make and "
        "initialise the weights themselves. The update is still written by hand. Different "
        "starting weights, so a different curve.",
    ),
    Lesson(
        "module",
        "A torch.nn.Module",
        "The network as a class with a forward method: how larger models are written. Nothing "
        "changes in the training, only the starting weights.",
    ),
    Lesson(
        "optim",
        "torch.optim does the update",
        "torch.optim.SGD takes over the `weight -= lr * grad` lines and the zeroing of gradients. "
        "Same method, less code.",
    ),
    Lesson(
        "minibatch",
        "Mini-batches",
        "Instead of one step per pass over all the data, one step per 1,000 points: 10 steps per "
        "epoch for the same work. More, noisier steps get further: compare the final loss with "
        "the full-batch runs.",
    ),
    Lesson(
        "tensordataset",
        "A TensorDataset",
        "Inputs and targets kept together as one dataset, sliced into the same mini-batches.",
    ),
    Lesson(
        "dataloader",
        "A DataLoader",
        "torch's DataLoader hands out the mini-batches; nntui slices them itself but draws the "
        "random numbers DataLoader draws, so the figures stay the tutorial's.",
    ),
    Lesson(
        "validation",
        "Validation",
        "4,000 points the network never trains on. Training loss says how well it fits what it "
        "has seen; validation loss says how well it does on new points. If validation stayed high "
        "while training fell, it would be memorising (overfitting): here both fall together.",
    ),
    Lesson(
        "classification",
        "Classification",
        "Three classes by distance from the centre: two hidden layers, cross-entropy loss, "
        "shuffled batches. Watch the class map form rings and the accuracy climb past 98%.",
    ),
)


def lesson_index(step: str | int | None) -> int:
    """A lesson's index from its number (1 first) or its preset's name; None is the first."""
    if step is None or step == "":
        return 0
    names = [lesson.preset for lesson in LESSONS]
    if isinstance(step, str) and step in names:
        return names.index(step)
    try:
        number = int(step)
    except ValueError:
        raise ValueError(f"no lesson {step!r}: give 1-{len(LESSONS)} or one of {', '.join(names)}") from None
    if not 1 <= number <= len(LESSONS):
        raise ValueError(f"no lesson {number}: there are {len(LESSONS)}")
    return number - 1
