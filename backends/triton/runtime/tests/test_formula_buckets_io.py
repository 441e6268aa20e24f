import pytest
import torch

from solder_runtime import safetensors_io
from solder_runtime.buckets import bucket
from solder_runtime.errors import PlanError
from solder_runtime.formula import evaluate, parse, symbols_of


@pytest.mark.parametrize("text,want", [
    ("batch * seq * 32", 3 * 17 * 32),
    ("ceil_div(seq, 16) * 16", 32),
    ("min(seq, 8) + max(batch, 5, 2)", 13),
    ("(seq - 1) // 4", 4),
    ("-batch + 10", 7),
    ("7 * (ceil_div(batch * seq * 128, 256) * 256)", 7 * 6656),
    (42, 42),
])
def test_formulas_evaluate(text, want):
    assert evaluate(text, {"batch": 3, "seq": 17}) == want


def test_formula_symbols():
    assert symbols_of(parse("ceil_div(batch * seq, max(heads, 2))")) == {"batch", "seq", "heads"}


@pytest.mark.parametrize("text,message", [
    ("__import__('os')", "unexpected character"),
    ("batch ** 2", "unexpected"),
    ("pow(batch, 2)", "unknown function 'pow'"),
    ("ceil_div(batch)", "ceil_div takes 2 arguments"),
    ("(batch + 1", "expected \\)"),
    ("batch seq", "unexpected 'seq'"),
    ("seq / 2", "unexpected character"),
])
def test_formula_rejects_anything_else(text, message):
    with pytest.raises(PlanError, match=message):
        parse(text)


def test_formula_unknown_symbol_and_zero_division():
    with pytest.raises(PlanError, match="unknown symbol 'heads'"):
        evaluate("heads * 2", {"batch": 1})
    with pytest.raises(PlanError, match="division by zero"):
        evaluate("batch // (batch - 1)", {"batch": 1})


@pytest.mark.parametrize("value,policy,max_value,want", [
    (1, "pow2", 64, 1), (3, "pow2", 64, 4), (5, "pow2", 6, 6), (17, "mult64", 512, 32), (64, "mult64", 512, 64),
    (65, "mult64", 512, 128), (513, "mult64", 2048, 576), (513, "mult64", 520, 520), (13, "exact", 64, 13),
])
def test_buckets(value, policy, max_value, want):
    assert bucket(value, policy, max_value) == want


def test_safetensors_round_trip_every_dtype(tmp_path):
    tensors = {
        "f32": torch.randn(3, 4), "f16": torch.randn(5).half(), "bf16": torch.randn(2, 2).bfloat16(),
        "i64": torch.arange(-3, 3), "i32": torch.arange(7, dtype=torch.int32), "u8": torch.arange(9, dtype=torch.uint8),
        "b": torch.tensor([True, False, True]), "empty": torch.zeros(0, 4), "scalar": torch.tensor(2.5),
    }
    safetensors_io.write(tmp_path / "t.safetensors", tensors)
    back = safetensors_io.read(tmp_path / "t.safetensors")
    assert list(back) == list(tensors)
    for name, t in tensors.items():
        assert back[name].dtype == t.dtype and back[name].shape == t.shape and torch.equal(back[name], t), name


def test_safetensors_matches_the_reference_package_when_present(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    tensors = {"a": torch.randn(2, 3), "b": torch.arange(5)}
    st.save_file(tensors, str(tmp_path / "ref.safetensors"))
    back = safetensors_io.read(tmp_path / "ref.safetensors")
    assert all(torch.equal(back[k], v) for k, v in tensors.items())
    safetensors_io.write(tmp_path / "ours.safetensors", tensors)
    theirs = st.load_file(str(tmp_path / "ours.safetensors"))
    assert all(torch.equal(theirs[k], v) for k, v in tensors.items())


def test_safetensors_rejects_garbage(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!")
    with pytest.raises(PlanError, match="header is not JSON"):
        safetensors_io.read(tmp_path / "bad")
    with pytest.raises(PlanError, match="cannot read"):
        safetensors_io.read(tmp_path / "missing")
