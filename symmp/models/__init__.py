"""Models of THEORY.md section 1, one per file, and their registry.

Examples
--------
>>> from symmp.models import LRNN, make_model
>>> make_model("lrnn", {"n": 2, "b": 1, "d": 1, "T": 2}) == LRNN(2, 1, 1, 2)
True
"""

from __future__ import annotations

from ..errors import SpecError
from ._checks import check_positive_int
from .base import Entry, JacobianFactor, Model
from .lffn import LFFN
from .linear import LinearEstimator
from .lrnn import CONVENTIONS, LRNN
from .activations import ACTIVATIONS, Activation
from .relu import ShallowReLU
from .relu2 import DeepReLU2

__all__ = [
    "Model",
    "Entry",
    "JacobianFactor",
    "LinearEstimator",
    "LRNN",
    "LFFN",
    "ShallowReLU",
    "DeepReLU2",
    "CONVENTIONS",
    "ACTIVATIONS",
    "Activation",
    "MODEL_REGISTRY",
    "make_model",
    "register_model",
    "model_options",
    "check_positive_int",
]

#: spec ``model`` name -> (class, required dims, optional top-level options)
MODEL_REGISTRY: dict[str, tuple[type[Model], tuple[str, ...], tuple[str, ...]]] = {
    "linear": (LinearEstimator, ("n", "d"), ()),
    "lrnn": (LRNN, ("n", "b", "d", "T"), ("convention",)),
    "lffn": (LFFN, ("widths",), ()),
    "relu": (ShallowReLU, ("n0", "h", "d"), ("activation",)),
    "relu2": (DeepReLU2, ("n0", "h1", "h2", "d"), ("activation",)),
}


def register_model(
    kind: str, cls: type[Model], dims: tuple[str, ...], options: tuple[str, ...] = ()
) -> None:
    """Add a model to :data:`MODEL_REGISTRY`: spec name ``kind``, its class,
    the ``dims`` keys its constructor takes and its optional top-level spec
    options. A new model is one file implementing :class:`Model` plus this call.

    Examples
    --------
    >>> register_model("linear", LinearEstimator, ("n", "d"))  # already there: same entry
    """
    if not isinstance(kind, str) or not kind:
        raise SpecError(f"a model's spec name must be a non-empty string, got {kind!r}")
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise SpecError(f"model {kind!r}: {cls!r} does not implement symmp.models.Model")
    MODEL_REGISTRY[kind] = (cls, tuple(dims), tuple(options))


def model_options() -> set[str]:
    """Every optional top-level spec key some registered model takes."""
    return {option for _, _, options in MODEL_REGISTRY.values() for option in options}


def make_model(kind: str, dims: dict, **options) -> Model:
    """Build a model from its spec name, ``dims`` and options (e.g. ``convention``)."""
    if kind not in MODEL_REGISTRY:
        raise SpecError(
            f"unknown model {kind!r}; allowed: {', '.join(map(repr, MODEL_REGISTRY))}"
        )
    cls, required, optional = MODEL_REGISTRY[kind]
    missing = [name for name in required if name not in dims]
    if missing:
        raise SpecError(
            f"dims for model {kind!r} is missing {', '.join(map(repr, missing))}; "
            f"required: {', '.join(required)}"
        )
    unknown = sorted(set(dims) - set(required))
    if unknown:
        raise SpecError(
            f"unknown key(s) {', '.join(map(repr, unknown))} in dims for model {kind!r}; "
            f"allowed: {', '.join(required)}"
        )
    bad = sorted(set(options) - set(optional))
    if bad:
        raise SpecError(
            f"option(s) {', '.join(map(repr, bad))} do not apply to model {kind!r}"
        )
    return cls(**{name: dims[name] for name in required}, **options)
