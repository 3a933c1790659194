"""A model written and registered here, and nothing else: it classifies, lists
LaTeX and estimates MP through the CLI (issue 12: a new model is one file
implementing the shared interface plus a registry entry)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symmp import Allocation
from symmp.arithmetic import FLOAT, ModularArithmetic
from symmp.cli import main
from symmp.models import MODEL_REGISTRY, JacobianFactor, Model, check_positive_int, register_model


class DiagonalLinear(Model):
    """Y = W2 diag(s) W1 X: W1 (h x n0), the diagonal s as a column S (h x 1), W2 (d x h)."""

    kind = "diaglinear"

    def __init__(self, n0: int, h: int, d: int) -> None:
        self.n0 = check_positive_int(n0, "dims.n0")
        self.h = check_positive_int(h, "dims.h")
        self.d = check_positive_int(d, "dims.d")

    @property
    def matrix_shapes(self):
        return {"W1": (self.h, self.n0), "S": (self.h, 1), "W2": (self.d, self.h)}

    @property
    def output_dim(self):
        return self.d

    def input_shape(self, m):
        return (self.n0, m)

    def dims(self):
        return {"n0": self.n0, "h": self.h, "d": self.d}

    def forward(self, weights, inputs, ar=FLOAT):
        return ar.matmul(weights["W2"], ar.mul(weights["S"], ar.matmul(weights["W1"], inputs)))

    def jacobian_factors(self, weights, inputs, name, ar=FLOAT):
        hidden = ar.matmul(weights["W1"], inputs)  # (h, m)
        if name == "W2":
            return [JacobianFactor(ar.eye(self.d), ar.mul(weights["S"], hidden))]
        if name == "W1":  # W2 diag(s) dW1 X
            return [JacobianFactor(ar.mul(weights["W2"], np.swapaxes(weights["S"], -1, -2)), inputs)]
        # dY[:, t] = sum_i W2[:, i] hidden[i, t] ds_i: per sample, against a row of ones
        left = ar.mul(weights["W2"][..., :, :, None], hidden[..., None, :, :])
        ones = np.broadcast_to(ar.eye(1), np.shape(hidden)[:-2] + (1, np.shape(hidden)[-1]))
        return [JacobianFactor(left, ones, per_sample=True)]


@pytest.fixture
def registered():
    register_model("diaglinear", DiagonalLinear, ("n0", "h", "d"))
    yield
    del MODEL_REGISTRY["diaglinear"]


def _spec(tmp_path, learnable, m, name="spec"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"model": "diaglinear", "dims": {"n0": 3, "h": 3, "d": 2}, "m": m,
                                "learnable": learnable}))
    return str(path)


def _cli(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr().out
    assert status == 0, out
    return out


def _finite_difference_rank(model, allocation, seed=0):
    """Rank of the output Jacobian by central differences of forward (not the model's factors)."""
    rng = np.random.default_rng(seed)
    weights = {k: rng.standard_normal(s) for k, s in model.matrix_shapes.items()}
    inputs = rng.standard_normal(model.input_shape(allocation.m))
    columns = []
    for name, i, j in allocation.ordered_entries:
        up = {k: v.copy() for k, v in weights.items()}
        down = {k: v.copy() for k, v in weights.items()}
        up[name][i, j] += 1e-6
        down[name][i, j] -= 1e-6
        columns.append(((model.forward(up, inputs) - model.forward(down, inputs)) / 2e-6).ravel())
    return int(np.linalg.matrix_rank(np.array(columns).T, tol=1e-6))


def test_the_model_jacobian_matches_its_forward_pass(registered):
    model = DiagonalLinear(3, 3, 2)
    allocation = Allocation.from_entries(model, model.all_entries(), m=4)
    rng = np.random.default_rng(1)
    weights = {k: rng.standard_normal(s) for k, s in model.matrix_shapes.items()}
    inputs = rng.standard_normal((3, 4))
    jac = model.jacobian(weights, inputs, allocation.ordered_entries)
    k = allocation.ordered_entries.index(("S", 1, 0))
    bump = {key: v.copy() for key, v in weights.items()}
    bump["S"][1, 0] += 1e-7
    numeric = (model.forward(bump, inputs) - model.forward(weights, inputs)).ravel() / 1e-7
    assert np.allclose(jac[:, k], numeric, atol=1e-5)
    exact = model.jacobian({k: np.ones(s, dtype=np.int64) for k, s in model.matrix_shapes.items()},
                           np.ones((3, 4), dtype=np.int64), allocation.ordered_entries, ModularArithmetic())
    assert exact.shape == (8, model.n_weights)


@pytest.mark.parametrize("learnable, m", [({"W2": [[0, 0], [0, 1], [1, 2]]}, 2),
                                          ({"S": [[0, 0], [1, 0], [2, 0]], "W1": [[0, 0], [2, 1]]}, 3)])
def test_classify_ranks_agree_with_finite_differences(registered, tmp_path, capsys, learnable, m):
    path = _spec(tmp_path, learnable, m)
    verdict = json.loads(_cli(capsys, "classify", path, "--json"))
    model = DiagonalLinear(3, 3, 2)
    entries = [(name, i, j) for name, pairs in learnable.items() for i, j in pairs]
    assert verdict["rank"] == _finite_difference_rank(model, Allocation.from_entries(model, entries, m))
    assert verdict["class"] in ("maximal", "minimal", "intermediate", "undecided")


def test_latex_lists_the_forward_pass_lifted_to_degree_two(registered, tmp_path, capsys):
    # W2[1, 0] s_0 W1[0, 0] is a product of three learnables: degree 3 unlifted
    path = _spec(tmp_path, {"S": [[0, 0], [1, 0]], "W1": [[0, 0]], "W2": [[1, 0]]}, 2)
    plain = _cli(capsys, "latex", path, "--unlifted")
    lifted = _cli(capsys, "latex", path)  # lifted by default
    assert plain.count(r"\tag*{") == 2 * 2  # d*m output equations
    assert r"\tag*{degree 3}" in plain
    assert r"\tag*{degree 3}" not in lifted and r"\tag*{quadratic}" in lifted
    assert r"f^{(1)}" in lifted  # an auxiliary matrix F_1 was introduced


def test_mp_certified_and_estimated_when_the_readout_is_learnable(registered, tmp_path, capsys):
    # all of W2 learnable, m <= h: W2 A = Y with A (h x m) of full column rank, always solvable
    path = _spec(tmp_path, {"W2": [[i, j] for i in range(2) for j in range(3)]}, 2)
    out = json.loads(_cli(capsys, "mp", path, "--trials", "8", "--seed", "1", "--json"))
    assert out["mp"] == 1.0 and out["method"] == "certificate"
    for solver in ("newton", "linear"):
        out = json.loads(_cli(capsys, "mp", path, "--trials", "8", "--seed", "1", "--json",
                              "--no-certificate", "--solver", solver, "--no-store"))
        assert out["trials"] == 8 and out["matches"] == 8, solver


def test_mp_finds_no_match_with_too_few_weights(registered, tmp_path, capsys):
    # only the 3 diagonal weights against d*m = 8 generic outputs: no trial can match
    path = _spec(tmp_path, {"S": [[0, 0], [1, 0], [2, 0]]}, 4)
    out = json.loads(_cli(capsys, "mp", path, "--trials", "8", "--seed", "1", "--json",
                          "--no-certificate", "--solver", "newton", "--no-store"))
    assert out["trials"] == 8 and out["matches"] == 0

