"""The suite every registered loss passes (DESIGN.md, "Tested by registry").

For each entry of the registry (``tests/registry/``, one module per part), each option set and each reduction: the value
equals the reference, the hand-written gradient equals autograd of the reference and
passes ``torch.autograd.gradcheck`` in float64, shapes follow the reduction, dtype and
device are kept, extreme inputs stay finite, the module equals the function, the graph
holds the loss's own ``autograd.Function``, PyTorch's own sample inputs for the op give
PyTorch's numbers, and bad input raises a clear error.
"""

from __future__ import annotations

import inspect
import warnings

import pytest
import torch

from lossbook import losses as L
from tests.registry import REGISTRY, materialize

TOL = {torch.float64: dict(rtol=1e-10, atol=1e-12), torch.float32: dict(rtol=1e-5, atol=1e-6)}

CASES = [pytest.param(case, id=case.name) for case in REGISTRY]
OPTION_CASES = [
    pytest.param(case, opts, red, id=f"{case.name}-{i}-{red}")
    for case in REGISTRY
    for i, opts in enumerate(case.options)
    for red in case.reductions
]


def _call(case, dtype, device, opts, reduction, seed=0):
    g = torch.Generator().manual_seed(seed)
    args = case.inputs(dtype, device, g)
    kwargs = materialize(opts, args, g)
    return args, {**kwargs, "reduction": reduction}


def _leaves(case, args):
    return [a.detach().clone().requires_grad_(i in case.grad_args) for i, a in enumerate(args)]


def _grads(case, fn, args, kwargs):
    leaves = _leaves(case, args)
    out = fn(*leaves, **kwargs)
    wanted = [leaves[i] for i in case.grad_args]
    upstream = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype, device=out.device).reshape(out.shape)
    return out.detach(), torch.autograd.grad(out, wanted, upstream)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("case, opts, reduction", OPTION_CASES)
def test_value_and_gradient_match_reference(case, opts, reduction, dtype, device):
    args, kwargs = _call(case, dtype, device, opts, reduction)
    value, grads = _grads(case, case.fn, args, kwargs)
    ref_value, ref_grads = _grads(case, case.reference, args, kwargs)
    torch.testing.assert_close(value, ref_value, **TOL[dtype])
    for g, r in zip(grads, ref_grads):
        torch.testing.assert_close(g, r, **TOL[dtype])


@pytest.mark.parametrize("case, opts, reduction", OPTION_CASES)
def test_gradcheck_float64(case, opts, reduction):
    args, kwargs = _call(case, torch.float64, torch.device("cpu"), opts, reduction)
    leaves = _leaves(case, args)
    assert torch.autograd.gradcheck(lambda *a: case.fn(*a, **kwargs), tuple(leaves))


@pytest.mark.parametrize("case, opts, reduction", OPTION_CASES)
def test_output_shape_follows_reduction(case, opts, reduction):
    args, kwargs = _call(case, torch.float64, torch.device("cpu"), opts, reduction)
    out = case.fn(*args, **kwargs)
    expected = case.reference(*args, **kwargs).shape
    assert out.shape == expected
    assert (out.dim() == 0) == (reduction != "none")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("case", CASES)
def test_dtype_and_device_kept(case, dtype, device):
    args, kwargs = _call(case, dtype, device, case.options[0], "mean")
    leaves = _leaves(case, args)
    out = case.fn(*leaves, **kwargs)
    assert out.dtype == dtype and out.device.type == device.type
    out.backward()
    for i in case.grad_args:
        assert leaves[i].grad.dtype == dtype and torch.isfinite(leaves[i].grad).all()
    if dtype in (torch.float16, torch.bfloat16):
        # half-precision inputs are computed in float32: the result is the float32 one, rounded
        args32 = [a.float() if a.is_floating_point() else a for a in args]
        kw32 = {k: v.float() if isinstance(v, torch.Tensor) and v.is_floating_point() else v for k, v in kwargs.items()}
        torch.testing.assert_close(out.float(), case.fn(*args32, **kw32).to(dtype).float(), rtol=0, atol=0)


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0].extreme is not None])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_extreme_inputs_stay_finite(case, dtype):
    args = case.extreme(dtype, torch.device("cpu"))
    for reduction in case.reductions:
        leaves = _leaves(case, args)
        out = case.fn(*leaves, reduction=reduction)
        assert torch.isfinite(out).all(), f"{case.name} value not finite with reduction={reduction}"
        out.sum().backward()
        for i in case.grad_args:
            assert torch.isfinite(leaves[i].grad).all(), f"{case.name} gradient of argument {i} not finite"


@pytest.mark.parametrize("case, opts, reduction", OPTION_CASES)
def test_module_equals_function(case, opts, reduction):
    args, kwargs = _call(case, torch.float64, torch.device("cpu"), opts, reduction)
    init = set(inspect.signature(case.module).parameters)
    forward = set(inspect.signature(case.module.forward).parameters)
    kwargs = {k: v for k, v in kwargs.items() if k in init | forward}  # some options are the function's alone
    module_kwargs = {k: v for k, v in kwargs.items() if k in init}
    call_kwargs = {k: v for k, v in kwargs.items() if k not in init}
    module = case.module(**module_kwargs)
    torch.testing.assert_close(module(*args, **call_kwargs), case.fn(*args, **kwargs), rtol=0, atol=0)


def _graph_nodes(out: torch.Tensor) -> set[str]:
    seen, stack, names = set(), [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(n for n, _ in node.next_functions)
    return names


@pytest.mark.parametrize("case", CASES)
def test_graph_holds_hand_written_function(case):
    module = inspect.getmodule(case.fn)
    functions = {
        f"{obj.__name__}Backward"
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, torch.autograd.Function) and obj.__module__ == module.__name__
    }
    assert functions, f"{module.__name__} defines no torch.autograd.Function"
    args, kwargs = _call(case, torch.float64, torch.device("cpu"), case.options[0], "mean")
    out = case.fn(*_leaves(case, args), **kwargs)
    assert functions & _graph_nodes(out), f"{case.name}'s graph holds none of {sorted(functions)}"


@pytest.mark.parametrize("case", CASES)
def test_bad_reduction_names_allowed_values(case):
    args, kwargs = _call(case, torch.float64, torch.device("cpu"), case.options[0], "avg")
    allowed = ", ".join(repr(r) for r in case.reductions)
    with pytest.raises(ValueError, match=rf"{case.name}: reduction must be one of {allowed}, got 'avg'"):
        case.fn(*args, **kwargs)


@pytest.mark.parametrize(
    "case, bad", [pytest.param(c, b, id=f"{c.name}-{i}") for c in REGISTRY for i, b in enumerate(c.bad)]
)
def test_bad_input_raises_clear_error(case, bad):
    with pytest.raises(bad.error, match=bad.match):
        case.fn(*bad.args(), **bad.kwargs)


def test_registry_is_complete():
    functions = {n for n in L.__all__ if inspect.isfunction(getattr(L, n))}
    classes = {n for n in L.__all__ if inspect.isclass(getattr(L, n))}
    missing = sorted(functions - {c.name for c in REGISTRY})
    assert not missing, f"every public loss needs an entry in its part's registry (tests/registry/<part>.py): {missing}"
    assert functions == {c.name for c in REGISTRY}, "every registry entry is a public loss"
    assert classes == {c.module.__name__ for c in REGISTRY}, "every loss module class needs a registry entry"
    assert len({c.name for c in REGISTRY}) == len(REGISTRY), "a loss has two registry entries"


# PyTorch's own test inputs: the sample inputs of the op in torch's OpInfo database.

TORCH_CASES = [pytest.param(c, id=c.name) for c in REGISTRY if c.torch_op]


def _torch_op(name):
    import torch.backends
    from torch.testing._internal.common_methods_invocations import op_db

    # importing torch's test utilities freezes torch.backends flags (disable_global_flags);
    # undo it, so that the rest of the session, lossbook.setup() included, runs as a user's would
    torch.backends.flags_frozen.__globals__["__allow_nonbracketed_mutation_flag"] = True

    (op,) = [o for o in op_db if o.name == name and o.variant_test_name == ""]
    return op


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("case", TORCH_CASES)
def test_pytorch_sample_inputs(case, dtype, device):
    op = _torch_op(case.torch_op)
    samples = list(op.sample_inputs(device, dtype, requires_grad=True))
    assert samples
    for sample in samples:
        args = (sample.input, *sample.args)
        wanted = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
        if case.torch_through is not None:  # both see the map of the sample; gradients are the sample's, through it
            args = case.torch_through(args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            expected = op.op(*args, **sample.kwargs)
        if any("broadcast" in str(w.message) for w in caught):
            # PyTorch warns, then broadcasts mismatched shapes; lossbook refuses them
            with pytest.raises(ValueError, match="does not match"):
                case.fn(*args, **sample.kwargs)
            continue
        if case.refused is not None and case.refused(args, sample.kwargs):
            # a documented strictness: PyTorch accepts the input silently, lossbook refuses it
            with pytest.raises(ValueError):
                case.fn(*args, **sample.kwargs)
            continue
        got = case.fn(*args, **sample.kwargs)
        tol = {**TOL, **(case.torch_tol or {})}[dtype]
        torch.testing.assert_close(got, expected, **tol)
        upstream = torch.ones_like(expected)
        g_exp = torch.autograd.grad(expected, wanted, upstream, allow_unused=True, retain_graph=True)  # a map's graph is shared
        g_got = torch.autograd.grad(got, wanted, upstream, allow_unused=True)
        for a, b in zip(g_got, g_exp):
            assert (a is None) == (b is None)
            if b is not None:
                torch.testing.assert_close(a, b, **tol)


@pytest.mark.parametrize("case, opts, reduction", OPTION_CASES)
def test_second_derivatives_are_right_or_refused(case, opts, reduction):
    """Differentiating a backward again gives the true second derivatives, or raises: never a silent zero."""
    args, kwargs = _call(case, torch.float64, torch.device("cpu"), opts, reduction)
    leaves = _leaves(case, args)
    try:
        assert torch.autograd.gradgradcheck(lambda *a: case.fn(*a, **kwargs), tuple(leaves))
    except RuntimeError as err:
        assert f"{case.name}" in str(err) and "gives first derivatives only" in str(err)
