"""No registry loss synchronises host and device (DESIGN.md, "Fast, and friendly to the accelerator").

A host-device synchronisation comes from reading a tensor's data on the host: ``.item()``,
``bool(tensor)`` (``if tensor.any():``), ``.tolist()``, boolean-mask indexing, ``nonzero``.

- On CUDA, each loss runs forward and backward under ``torch.cuda.set_sync_debug_mode("error")``,
  which raises at any synchronising call.
- Everywhere, each loss runs on the ``meta`` device, whose tensors have shapes but no data:
  every one of those host reads raises there, so a loss that passes on ``meta`` takes the
  accelerator path of ``_validation.py`` (device-side asserts) and reads no data on the host.
"""

from __future__ import annotations

import pytest
import torch

from tests.registry import REGISTRY, materialize

CASES = [pytest.param(case, id=case.name) for case in REGISTRY]


def _arguments(case, device):
    g = torch.Generator().manual_seed(0)
    args = case.inputs(torch.float32, torch.device("cpu"), g)
    kwargs = materialize(case.options[0], args, g)
    leaves = [a.to(device).requires_grad_(i in case.grad_args) for i, a in enumerate(args)]
    kwargs = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
    return leaves, kwargs


def _forward_backward(case, leaves, kwargs):
    out = case.fn(*leaves, **kwargs)
    upstream = torch.ones_like(out)  # a 'none' output gets a gradient of its own shape
    return out, torch.autograd.grad(out, [leaves[i] for i in case.grad_args], upstream)


def test_meta_tensors_refuse_host_reads():
    # the premise of the meta test below: reading a meta tensor's data raises
    t = torch.zeros(3, device="meta")
    with pytest.raises(RuntimeError):
        t.sum().item()
    with pytest.raises(RuntimeError):
        bool(t.any())


@pytest.mark.parametrize("case", CASES)
def test_no_host_read_on_meta_tensors(case):
    leaves, kwargs = _arguments(case, "meta")
    for reduction in case.reductions:
        out, grads = _forward_backward(case, leaves, {**kwargs, "reduction": reduction})
        assert out.device.type == "meta" and all(g.shape == leaves[i].shape for g, i in zip(grads, case.grad_args))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("case", CASES)
def test_no_sync_on_cuda(case):
    leaves, kwargs = _arguments(case, "cuda")  # the copies to the device happen before the check
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for reduction in case.reductions:
            _forward_backward(case, leaves, {**kwargs, "reduction": reduction})
    finally:
        torch.cuda.set_sync_debug_mode("default")
