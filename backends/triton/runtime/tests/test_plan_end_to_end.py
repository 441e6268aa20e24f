import pytest
import torch

from conftest import DEVICE, close
from solder_runtime import InputError, Plan, PlanError
from tiny_encoder import inputs, make_plan_dir, reference


@pytest.fixture
def plan_and_weights(tmp_path):
    directory, weights = make_plan_dir(tmp_path)
    return Plan.load(directory).to(DEVICE), weights


@pytest.mark.parametrize("batch,seq,padded", [(3, 17, {1: 5}), (1, 1, {}), (2, 64, {0: 63}), (4, 80, {3: 30})])
def test_tiny_encoder_matches_torch(plan_and_weights, batch, seq, padded):
    plan, weights = plan_and_weights
    ids, mask = inputs(batch, seq, padded)
    got = plan(input_ids=ids, attention_mask=mask)
    want_hidden, want_sum = reference(weights, ids, mask)
    assert tuple(got["last_hidden_state"].shape) == (batch, seq, 32)
    close(got["last_hidden_state"], want_hidden, scale=10)
    close(got["residual"], want_sum, scale=10)


def test_buckets_are_reused_and_results_stay_exact(plan_and_weights):
    plan, weights = plan_and_weights
    first = inputs(3, 17, {2: 4}, seed=1)
    second = inputs(4, 30, {}, seed=2)  # same bucket (4, 32), different real sizes
    got1 = plan(input_ids=first[0], attention_mask=first[1])
    got2 = plan(input_ids=second[0], attention_mask=second[1])
    assert len(plan._executor.programs) == 1
    close(got1["last_hidden_state"], reference(weights, *first)[0], scale=10)
    close(got2["last_hidden_state"], reference(weights, *second)[0], scale=10)


def test_calls_alternating_between_shapes_rebind_symbols_and_padding(plan_and_weights):
    # Shapes seen before take the cached path; the real lengths and padding must still follow each call.
    plan, weights = plan_and_weights
    calls = [inputs(3, 17, {2: 4}, seed=1), inputs(4, 30, {}, seed=2), inputs(3, 17, {0: 9}, seed=3), inputs(4, 30, {}, seed=4)]
    for ids, mask in calls:
        got = plan(input_ids=ids, attention_mask=mask)
        close(got["last_hidden_state"], reference(weights, ids, mask)[0], scale=10)


def test_outputs_without_a_copy_are_the_plans_buffers(plan_and_weights):
    plan, weights = plan_and_weights
    first, second = inputs(2, 9, {}, seed=5), inputs(2, 9, {}, seed=6)
    got1 = plan.run({"input_ids": first[0], "attention_mask": first[1]}, copy_outputs=False)
    close(got1["last_hidden_state"], reference(weights, *first)[0], scale=10)
    kept = plan(input_ids=first[0], attention_mask=first[1])["last_hidden_state"]
    got2 = plan.run({"input_ids": second[0], "attention_mask": second[1]}, copy_outputs=False)
    assert got2["last_hidden_state"].data_ptr() == got1["last_hidden_state"].data_ptr()
    close(got2["last_hidden_state"], reference(weights, *second)[0], scale=10)
    close(kept, reference(weights, *first)[0], scale=10)  # the copied output is the caller's to keep


def test_plan_without_mask_input_masks_padded_keys_by_real_length(tmp_path):
    def drop_mask(spec):
        spec["inputs"] = spec["inputs"][:1]
        spec["launches"] = [l for l in spec["launches"] if l["name"] != "mask"]
        attn = next(l for l in spec["launches"] if l["kernel"] == "attention")
        del attn["args"]["mask"]
        attn["args"]["key_lengths"] = {"real": "seq"}
        del spec["generated_kernels"]
    directory, weights = make_plan_dir(tmp_path, drop_mask)
    plan = Plan.load(directory).to(DEVICE)
    ids, _ = inputs(2, 21)  # bucketed to seq 32: 11 padded keys that must stay invisible
    got = plan(input_ids=ids)
    close(got["last_hidden_state"], reference(weights, ids, None)[0], scale=10)


def test_bad_inputs_are_one_line_errors(plan_and_weights):
    plan, _ = plan_and_weights
    ids, mask = inputs(2, 8)
    with pytest.raises(InputError, match="missing"):
        plan(input_ids=ids)
    with pytest.raises(InputError, match="seq = 8 but another input has seq = 9|seq = 9 but another input has seq = 8"):
        plan(input_ids=ids, attention_mask=torch.ones(2, 9, dtype=torch.int64))
    with pytest.raises(InputError, match="outside 1..80"):
        plan(input_ids=torch.zeros(1, 81, dtype=torch.int64), attention_mask=torch.ones(1, 81, dtype=torch.int64))
    with pytest.raises(InputError, match="cannot stand in for int64"):
        plan(input_ids=ids.float(), attention_mask=mask)


def test_weights_must_match_declarations(tmp_path):
    directory, weights = make_plan_dir(tmp_path)
    from solder_runtime import safetensors_io
    weights["qkv.w"] = weights["qkv.w"][:, :64].contiguous()
    safetensors_io.write(directory / "weights.safetensors", weights)
    with pytest.raises(PlanError, match=r"weight 'qkv.w' is float32 \[32, 64\], plan.json declares float32 \[32, 96\]"):
        Plan.load(directory)
