"""``sequential``: block-triangular linear solves for sequentially linear allocations.

Uses the symbolic issue's machinery (THEORY.md section 5):
:func:`symmp.analysis.sequential.find_sequential_structure` finds an order of
blocks, each fixed by a square linear system once the earlier ones are known
(found once per allocation and cached). The solves themselves are carried out
here **batched across trials**: every block's coefficient matrices are
assembled for all trials of the call in a few numpy operations (the same
arithmetic as :func:`symmp.systems.sequential_solver.sequential_solve`, which
does one trial), then solved in one batched ``np.linalg.solve``. The points
are checked on the real equations and polished by a few Newton steps there;
a match is proved by construction, a failed solve (a singular block:
probability zero) stays unproved. Each trial's arithmetic is independent of
the batch. The machinery is imported lazily, with a clear error when absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ...allocation import Allocation
from ...analysis.sequential import find_sequential_structure
from ...errors import SymmpError
from ..kernels.batched import solve_each
from ..problems.match import MatchProblem
from ..kernels.newton import newton_iterate
from ..sampling import Trial
from . import VECTORISED_BATCH, SolverOptions, TrialOutcome, register_solver

__all__ = ["sequential_solve_trials", "sequential_structure", "sequential_available"]

_POLISH_STEPS = 8
#: a non-square block whose smallest/largest singular value ratio is below this is singular
_SINGULAR_RCOND = 1e-12


def sequential_available() -> bool:
    """True: the block-triangular machinery (:mod:`symmp.analysis.sequential`) ships with symmp.

    Kept for callers of the time it was optional.
    """
    return True


@lru_cache(maxsize=64)
def sequential_structure(allocation: Allocation):
    """The block structure of ``allocation``, or None when it is not sequentially linear."""
    return find_sequential_structure(allocation)


def _applies(allocation: Allocation) -> bool:
    if not allocation.model.polynomial or not sequential_available():
        return False
    return sequential_structure(allocation) is not None


class _BlockPlan:
    """One block's linear system as gathers and one-hot scatter matrices."""

    def __init__(self, terms, block) -> None:
        self.unknowns = np.asarray(block.unknowns, dtype=np.intp)
        equations = np.asarray(block.equations, dtype=np.intp)
        column_of = np.full(len(terms.atoms), -1, dtype=np.intp)
        column_of[self.unknowns] = np.arange(len(self.unknowns))
        row_of = {int(e): k for k, e in enumerate(equations)}
        index = terms.terms_of(equations)
        factors = terms.factors[index]
        is_unknown = column_of[factors] >= 0
        if np.any(is_unknown.sum(axis=1) > 1):
            raise SymmpError("sequential structure: a block is not linear in its unknowns")
        self.coef = terms.coef[index].astype(float)
        self.factors = np.where(is_unknown, len(terms.atoms), factors)  # unknown -> the constant 1 slot
        rows = np.array([row_of[int(e)] for e in terms.equation[index]], dtype=np.intp)
        columns = column_of[np.where(is_unknown, factors, 0).max(axis=1)]
        has = is_unknown.any(axis=1)
        shape = (len(equations), len(self.unknowns))
        self.to_matrix = np.zeros((len(index), shape[0] * shape[1]))
        self.to_matrix[np.flatnonzero(has), rows[has] * shape[1] + columns[has]] = 1.0
        self.to_constant = np.zeros((len(index), shape[0]))
        self.to_constant[np.flatnonzero(~has), rows[~has]] = 1.0
        self.shape = shape

    def solve(self, values: np.ndarray) -> np.ndarray:
        """Solve the block for every trial (``values`` has a trailing 1 column); ``(N, unknowns)``."""
        product = self.coef * np.prod(values[:, self.factors], axis=2)
        A = (product @ self.to_matrix).reshape(-1, *self.shape)
        c = product @ self.to_constant
        out = np.full((len(A), self.shape[1]), np.nan)
        finite = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(c).all(axis=1)
        if self.shape[0] == self.shape[1]:
            # square blocks: LU solves; an exactly singular member is left NaN (an ill-conditioned
            # one gives an inaccurate point that the real-model residual check then rejects)
            rows = np.flatnonzero(finite)
            out[rows] = -solve_each(A[rows], c[rows][..., None])[0][..., 0]
            return out
        with np.errstate(all="ignore"):
            singular = np.ones((len(A), min(self.shape)))
            singular[finite] = np.linalg.svd(A[finite], compute_uv=False)
            singular[~finite] = 0.0
        ok = (singular[:, 0] > 0) & (singular[:, -1] >= _SINGULAR_RCOND * singular[:, 0])
        if ok.any():
            out[ok] = -np.matmul(np.linalg.pinv(A[ok]), c[ok][..., None])[..., 0]
        return out


class _Plan:
    """Everything per allocation: where each atom's value comes from, and the blocks."""

    def __init__(self, allocation: Allocation, structure) -> None:
        terms = structure.terms
        self.form = terms.form
        self.atoms = len(terms.atoms)
        self.blocks = [_BlockPlan(terms, block) for block in structure.blocks]
        self.gathers: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        groups: dict[tuple[str, str], list] = {}
        self.ones = []
        for k, atom in enumerate(terms.atoms):
            if atom.kind == "one":
                self.ones.append(k)
            elif atom.kind in ("fixed", "input", "target"):
                groups.setdefault((atom.kind, atom.source), []).append((k, atom.row, atom.col))
        for key, items in groups.items():
            ids, rows, cols = (np.array(v, dtype=np.intp) for v in zip(*items))
            self.gathers[key] = (ids, rows, cols)
        by_entry = {
            (a.source, a.row, a.col): k for k, a in enumerate(terms.atoms) if a.kind == "learnable"
        }
        self.learnables = np.array([by_entry[e] for e in allocation.ordered_entries], dtype=np.intp)


@lru_cache(maxsize=64)
def _plan(allocation: Allocation) -> _Plan:
    return _Plan(allocation, sequential_structure(allocation))


def _reduced_targets(model, form: str, inputs: np.ndarray, outputs: np.ndarray):
    """Batched ``symmp.systems.instance.targets_from_outputs``; ``(blocks, ok)``."""
    if form == "outputs":
        return {"Y": outputs}, np.ones(len(outputs), dtype=bool)
    if form != model.reduced_form:
        raise SymmpError(f"sequential: unknown form {form!r}")
    stacked = model.stacked_inputs(inputs)  # (N, rows of stacked, m)
    singular = np.linalg.svd(stacked, compute_uv=False)
    ok = singular[:, -1] > singular[:, 0] * max(stacked.shape[1:]) * np.finfo(float).eps
    coefficients = np.matmul(outputs, np.linalg.pinv(stacked))  # (N, d, rows of stacked)
    return model.split_coefficients(coefficients), ok


def _batch_solve(allocation: Allocation, problem: MatchProblem) -> tuple[np.ndarray, np.ndarray]:
    """Block solves for every trial of ``problem``: ``(theta (N, r), solved (N,))``."""
    plan = _plan(allocation)
    count = problem.size
    outputs = problem.targets.reshape(count, allocation.model.output_dim, allocation.m)
    targets, ok = _reduced_targets(allocation.model, plan.form, problem.inputs, outputs)
    values = np.zeros((count, plan.atoms + 1))  # the extra last column is the constant 1
    values[:, -1] = 1.0
    values[:, plan.ones] = 1.0
    for (kind, source), (ids, rows, cols) in plan.gathers.items():
        if kind == "fixed":
            values[:, ids] = problem.fixed[source][:, rows, cols]
        elif kind == "target":
            values[:, ids] = targets[source][:, rows, cols]
        elif source == "X":
            values[:, ids] = problem.inputs[:, rows, cols]
        else:
            values[:, ids] = problem.inputs[:, int(source[1:]) - 1, rows, cols]
    with np.errstate(all="ignore"):
        for block in plan.blocks:
            values[:, block.unknowns] = block.solve(values)
    theta = values[:, plan.learnables]
    solved = ok & np.isfinite(theta).all(axis=1)
    return theta, solved


def sequential_solve_trials(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``sequential``: one pass of batched linear block solves for all trials.

    Raises
    ------
    SymmpError
        When the machinery is missing or the allocation has no sequential structure.
    """
    if sequential_structure(allocation) is None:
        raise SymmpError(
            "solver 'sequential' needs a sequentially linear allocation and none was found "
            "for this one; use --solver newton or auto"
        )
    problem = MatchProblem(allocation, trials)
    theta, solved = _batch_solve(allocation, problem)
    raw = np.full(problem.size, np.inf)
    relative = raw.copy()
    good = np.flatnonzero(solved)
    if good.size:
        raw[good] = problem.relative_residual(theta[good], good)
        relative[good] = raw[good]
        rough = good[raw[good] > options.tol * 1e-2]
        if rough.size:
            _, polished, _ = newton_iterate(
                problem, theta[rough], rough, tol=options.tol, max_iter=_POLISH_STEPS
            )
            relative[rough] = np.minimum(raw[rough], polished)
    relative = np.where(np.isfinite(relative), relative, np.inf)
    outcomes = []
    for position, trial in enumerate(trials):
        matched = bool(relative[position] <= options.tol)
        details = {"solved": bool(solved[position])}
        if solved[position]:
            details["raw_residual"] = float(raw[position])
        outcomes.append(
            TrialOutcome(
                trial.index, matched, matched, float(relative[position]), 0, "sequential", details
            )
        )
    return outcomes


register_solver(
    "sequential",
    sequential_solve_trials,
    defaults={"batch": VECTORISED_BATCH},
    applies=_applies,
    needs="a polynomial model whose equations are block-triangular, each block linear in its "
    "unknowns once the earlier blocks are solved (sequentially linear)",
    description="block-triangular linear solves for sequentially linear allocations, batched "
    "across trials (matches proved by construction)",
    auto_rank=30,  # matches proved by construction
)
