"""The linear recurrent network (THEORY.md section 1).

``convention="paper"`` (default): h_t = W (h_{t-1} + B x_t), y = D h_T, so
Y = D sum_t W^(T-t+1) B X_t. ``convention="standard"``: h_t = W h_{t-1} + B x_t,
so Y = D sum_t W^(T-t) B X_t. Powers of W are never formed symbolically: the
forward pass and the Jacobian factors use the recurrences

    u_k = W u_{k-1} + B X_k     (u_0 = 0),     G_a = G_{a-1} W   (G_0 = D),

with Y = D W u_T (paper) or D u_T (standard), and
dY = sum_a G_a dW u_{T+e-1-a} for e = 1 (paper) or 0 (standard).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..arithmetic import FLOAT, Arithmetic
from ..errors import SpecError
from ._checks import check_positive_int
from .base import JacobianFactor, Model

__all__ = ["LRNN", "CONVENTIONS"]

CONVENTIONS = ("paper", "standard")


class LRNN(Model):
    """Linear RNN with W (n x n), B (n x b), D (d x n) and T time steps.

    Inputs have shape ``(T, b, m)``: ``inputs[t - 1]`` is X_t.

    Examples
    --------
    >>> import numpy as np
    >>> model = LRNN(n=1, b=1, d=1, T=2)
    >>> w = {"W": np.array([[2.0]]), "B": np.array([[1.0]]), "D": np.array([[1.0]])}
    >>> model.forward(w, np.ones((2, 1, 1)))  # 2**2 + 2**1
    array([[6.]])
    """

    kind = "lrnn"

    def __init__(self, n: int, b: int, d: int, T: int, convention: str = "paper") -> None:
        self.n = check_positive_int(n, "dims.n")
        self.b = check_positive_int(b, "dims.b")
        self.d = check_positive_int(d, "dims.d")
        self.T = check_positive_int(T, "dims.T")
        if not isinstance(convention, str) or convention not in CONVENTIONS:
            raise SpecError(
                f"convention must be one of {', '.join(map(repr, CONVENTIONS))}, got {convention!r}"
            )
        self.convention = convention

    @property
    def power_offset(self) -> int:
        """e in Y = D sum_t W^(T-t+e) B X_t: 1 for "paper", 0 for "standard"."""
        return 1 if self.convention == "paper" else 0

    @property
    def max_power(self) -> int:
        """Highest power of W in the outputs (T for "paper", T-1 for "standard")."""
        return self.T - 1 + self.power_offset

    @property
    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.n, self.n), "B": (self.n, self.b), "D": (self.d, self.n)}

    @property
    def output_dim(self) -> int:
        return self.d

    def input_shape(self, m: int) -> tuple[int, ...]:
        return (self.T, self.b, m)

    def dims(self) -> dict:
        return {"n": self.n, "b": self.b, "d": self.d, "T": self.T}

    def spec_extra(self) -> dict:
        return {"convention": self.convention}

    def equation_budgets(self, m: int) -> dict[str, tuple[list[int], list[int]]]:
        """THEORY.md section 4; the W budgets use the highest power of W
        (T for "paper", T-1 for "standard")."""
        n, b, d, T = self.n, self.b, self.d, self.T
        powers = self.max_power
        return {
            "W": ([min(n, powers * b, m * min(d, powers))] * n, [min(n, powers * d, d * m)] * n),
            "B": ([min(b, m * min(d, T, n))] * n, [min(n, T * d, d * m)] * b),
            "D": ([min(n, T * b, m)] * d, [d] * n),
        }

    def rank_upper_bound(self, m: int) -> int:
        # Y = [D W^T B, ..., D W B] [X_1; ...; X_T]: at most d * min(m, T b);
        # the similarity W -> S W S^-1, B -> S B, D -> D S^-1 removes n^2 of
        # the n^2 + n b + d n parameters.
        return min(self.d * min(m, self.T * self.b), self.n * (self.b + self.d))

    def working_entries(self, m: int) -> int:
        # plus the T + 1 states u_k (n x m) and the read-outs G_a (d x n)
        return super().working_entries(m) + (self.T + 1) * self.n * m + (self.max_power + 1) * self.d * self.n

    # u_k = W u_{k-1} + B X_k, k = 0..T (u_0 = 0)
    def _drive_states(self, weights, inputs, ar: Arithmetic) -> list[np.ndarray]:
        W, B = weights["W"], weights["B"]
        states = [None]
        for t in range(self.T):
            drive = ar.matmul(B, inputs[..., t, :, :])
            states.append(drive if t == 0 else ar.add(ar.matmul(W, states[-1]), drive))
        return states

    def readouts(self, weights, count: int, ar: Arithmetic = FLOAT) -> list:
        """``[D, D W, ..., D W^(count-1)]`` (the left factors G_a = G_(a-1) W), batched."""
        reads = [weights["D"]]
        for _ in range(count - 1):
            reads.append(ar.matmul(reads[-1], weights["W"]))
        return reads

    def powers_times(self, weights, count: int, ar: Arithmetic = FLOAT) -> list:
        """``[B, W B, ..., W^(count-1) B]`` (F_j = W F_(j-1)), batched."""
        out = [weights["B"]]
        for _ in range(count - 1):
            out.append(ar.matmul(weights["W"], out[-1]))
        return out

    def markov_blocks(self, weights, ar: Arithmetic = FLOAT, *, side: str = "right", lift=None) -> dict:
        """The Markov blocks ``{j: D W^j B}`` for j = e .. max_power.

        ``side="right"`` multiplies ``F_j = W F_(j-1)`` from ``F_0 = B`` and
        then ``D F_j``; ``"left"`` multiplies ``G_j = G_(j-1) W`` from
        ``G_0 = D`` and then ``G_j B``. ``lift(j, F_j)``, when given, may
        replace each ``F_j`` (``G_j``) before it is used (the lifted systems
        put auxiliary unknowns there). ``ar`` is any arithmetic with
        ``matmul``: floats, residues, or a system writer's symbolic one.

        Examples
        --------
        >>> import numpy as np
        >>> w = {"W": np.array([[2.0]]), "B": np.array([[1.0]]), "D": np.array([[3.0]])}
        >>> LRNN(n=1, b=1, d=1, T=2).markov_blocks(w)
        {1: array([[6.]]), 2: array([[12.]])}
        """
        W, B, D = weights["W"], weights["B"], weights["D"]
        out = {}
        power = B if side == "right" else D
        for j in range(self.max_power + 1):
            if j:
                power = ar.matmul(W, power) if side == "right" else ar.matmul(power, W)
                if lift is not None:
                    power = lift(j, power)
            if j >= self.power_offset:
                out[j] = ar.matmul(D, power) if side == "right" else ar.matmul(power, B)
        return out

    # ------------------------------------------------------ polynomial systems
    reduced_form = "markov"

    def coefficient_names(self) -> list[str]:
        # Y = sum_t M_(T-t+e) X_t
        return [f"M{self.T - t + self.power_offset}" for t in range(1, self.T + 1)]

    def reduced_targets(self, weights, ar: Arithmetic = FLOAT) -> dict:
        return {f"M{j}": block for j, block in self.markov_blocks(weights, ar).items()}

    def write_system(self, writer, form: str) -> None:
        """The Markov form ``D W^j B = M_j`` or the outputs, lifted with
        F_j = W^j B (right) or G_j = D W^j (left) auxiliaries."""
        d, b, m, e = self.d, self.b, writer.m, self.power_offset
        W, B, D = (writer.weights(name) for name in ("W", "B", "D"))
        right = writer.lifting != "left"

        def lift(j, product):
            if right:
                group = f"F_{{{j}}} = W F_{{{j - 1}}}" if j > 1 else "F_{1} = W B"
            else:
                group = f"G_{{{j}}} = G_{{{j - 1}}} W" if j > 1 else "G_{1} = D W"
            return writer.auxiliary(f"F{j}" if right else f"G{j}", product, group)

        seeded = {"W": W, "B": writer.start(B) if right else B, "D": D if right else writer.start(D)}
        markov = self.markov_blocks(seeded, writer, side="right" if right else "left", lift=lift)
        if form == "markov":
            for j, block in markov.items():
                writer.equate(block, writer.target(f"M{j}", (d, b)), f"D W^{{{j}}} B = M_{{{j}}}")
            return
        total = None
        for t in range(1, self.T + 1):
            term = writer.matmul(markov[self.T - t + e], writer.input(f"X{t}", (b, m)))
            total = term if total is None else writer.add(total, term)
        group = r"D \sum_t W^{T-t" + ("+1" if e else "") + "} B X_t = Y"
        writer.equate(total, writer.target("Y", (d, m)), group)

    def unlifted_monomials(self, m: int, form: str) -> int:
        # one polynomial of n^(j+1) monomials per entry of each D W^j B
        per_entry = sum(self.n ** (j + 1) for j in range(self.power_offset, self.max_power + 1))
        reduced = per_entry * self.d * self.b
        return reduced * m if form == "outputs" else reduced

    def sweep_defaults(self) -> dict:
        # the paper's experiment: r = d*T*b learnable entries, m = T*b samples
        return {"r": self.d * self.T * self.b, "m": self.T * self.b}

    def _final_state(self, weights, states, ar: Arithmetic) -> np.ndarray:
        if self.convention == "paper":
            return ar.matmul(weights["W"], states[self.T])
        return states[self.T]

    def forward(self, weights: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT):
        states = self._drive_states(weights, inputs, ar)
        return ar.matmul(weights["D"], self._final_state(weights, states, ar))

    def jacobian_factors(self, weights, inputs, name, ar: Arithmetic = FLOAT):
        if name == "D":
            states = self._drive_states(weights, inputs, ar)
            return [JacobianFactor(ar.eye(self.d), self._final_state(weights, states, ar))]
        reads = self.readouts(weights, self.max_power + 1, ar)
        e = self.power_offset
        if name == "B":
            # Y = sum_t G_{T-t+e} B X_t
            return [
                JacobianFactor(reads[self.T - t + e], inputs[..., t - 1, :, :])
                for t in range(1, self.T + 1)
            ]
        # dY = sum_{a=0}^{max_power-1} G_a dW u_{T+e-1-a}
        states = self._drive_states(weights, inputs, ar)
        return [
            JacobianFactor(reads[a], states[self.T + e - 1 - a]) for a in range(self.max_power)
        ]
