"""SGD, momentum and Adam over K stacked parameters, each variant with its own learning rate.

torch.optim takes one learning rate per parameter group, and a stacked parameter holds all K
variants, so a sweep over learning rates needs its own update. These are torch.optim's formulas
(SGD and Adam with their default settings, weight decay added to the gradient), the learning rate
broadcast over the stacked axis; each variant follows the trajectory torch.optim gives it alone,
to float rounding (tests/engine/test_stacked.py)."""

from __future__ import annotations

import torch

BETAS = (0.9, 0.999)  # torch.optim.Adam's defaults, which nntui's Adam uses
EPS = 1e-8


class StackedOptimizer:
    """The update of one optimizer (`sgd`, `momentum` or `adam`) for parameters of shape (K, …),
    with `lrs[k]` the learning rate of variant k. Mirrors the torch.optim.Optimizer calls the loop
    makes: `step`, `zero_grad`, `param_groups[0]["lr"]`."""

    def __init__(
        self,
        params: list[torch.Tensor],
        optimizer: str,
        lrs: list[float],
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        if optimizer not in ("sgd", "momentum", "adam"):
            raise ValueError(f"no stacked update for optimizer {optimizer!r}")
        self.params = params
        self.optimizer = optimizer
        self.momentum = momentum if optimizer == "momentum" else 0.0
        self.weight_decay = weight_decay
        self.steps = 0
        self.state: dict[int, dict[str, torch.Tensor]] = {}
        self.set_lrs(lrs)

    @property
    def count(self) -> int:
        return len(self.params[0])

    def set_lrs(self, lrs: list[float]) -> None:
        self.lrs = [float(lr) for lr in lrs]
        self.param_groups = [{"lr": self.lrs[0]}]

    def _per_variant(self, values: list[float], like: torch.Tensor) -> torch.Tensor:
        """(K, 1, …) so that it broadcasts over each variant's parameter."""
        return torch.tensor(values, dtype=like.dtype, device=like.device).view(-1, *[1] * (like.dim() - 1))

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        for index, param in enumerate(self.params):
            grad = param.grad
            if self.weight_decay:
                grad = grad.add(param, alpha=self.weight_decay)
            state = self.state.setdefault(index, {})
            if self.optimizer == "adam":
                self._adam(param, grad, state)
                continue
            if self.momentum:
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = grad.detach().clone()
                else:
                    buffer.mul_(self.momentum).add_(grad)
                grad = buffer
            param.sub_(self._per_variant(self.lrs, param) * grad)

    def _adam(self, param: torch.Tensor, grad: torch.Tensor, state: dict[str, torch.Tensor]) -> None:
        beta1, beta2 = BETAS
        if not state:
            state["exp_avg"] = torch.zeros_like(param)
            state["exp_avg_sq"] = torch.zeros_like(param)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        correction1 = 1 - beta1**self.steps
        correction2_sqrt = (1 - beta2**self.steps) ** 0.5
        denominator = (exp_avg_sq.sqrt() / correction2_sqrt).add_(EPS)
        step_sizes = self._per_variant([lr / correction1 for lr in self.lrs], param)
        param.sub_(step_sizes * exp_avg / denominator)

    def zero_grad(self) -> None:
        for param in self.params:
            param.grad = None

    def variant_state(self, index: int, k: int) -> dict[str, torch.Tensor]:
        """Variant k's state for parameter `index` as torch.optim keeps it for a lone parameter
        (padding included: the caller slices it off)."""
        state = self.state.get(index, {})
        out = {name: value[k].clone() for name, value in state.items()}
        if self.optimizer == "adam" and state:
            out["step"] = torch.tensor(float(self.steps))
        return out
