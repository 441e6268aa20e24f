import copy
import json

import pytest

from solder_runtime import Plan, PlanError
from solder_runtime.checks import check_plan
from solder_runtime.kernels import LIBRARY
from solder_runtime.schema import _Validator, load_schema, validate
from tiny_encoder import FIXTURE, make_plan_dir

GOOD = json.loads((FIXTURE / "plan.json").read_text())


def test_fixture_plan_is_valid():
    validate(GOOD)
    check_plan(GOOD, LIBRARY)


def test_packaged_schema_is_the_repository_schema():
    from pathlib import Path
    repo_copy = Path(__file__).resolve().parents[2] / "plan.schema.json"
    assert load_schema() == json.loads(repo_copy.read_text())


def test_schema_is_valid_draft_2020_12():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(load_schema())


def mutate(fn):
    plan = copy.deepcopy(GOOD)
    fn(plan)
    return plan


SCHEMA_BREAKS = [
    (lambda p: p.update(version=2), r"plan.json.version: must be 1"),
    (lambda p: p.pop("arena"), r"plan.json: missing required property 'arena'"),
    (lambda p: p.update(dtype="float8"), r"plan.json.dtype: \"float8\" is not one of"),
    (lambda p: p["symbols"]["batch"].update(max=0), r"plan.json.symbols.batch.max: must be at least 1"),
    (lambda p: p["symbols"]["seq"].update(bucket="fib"), r"plan.json.symbols.seq.bucket"),
    (lambda p: p["buffers"]["h0"].update(offset="h0 + eval('x')"), r"plan.json.buffers.h0.offset: matches none"),
    (lambda p: p["launches"][0].update(colour="red"), r"plan.json.launches\[0\]: unknown property 'colour'"),
    (lambda p: p["inputs"][0].update(shape="batch"), r"plan.json.inputs\[0\].shape: must be of type array"),
    (lambda p: p["launches"][2]["attrs"].update(activation=["gelu"]), r"launches\[2\].attrs.activation"),
    (lambda p: p["generated_kernels"]["mask_to_additive"]["signature"][0].update(kind="pointer"),
     r"signature\[0\].kind"),
]


@pytest.mark.parametrize("breaker,message", SCHEMA_BREAKS)
def test_schema_errors_name_the_place(breaker, message):
    plan = mutate(breaker)
    schema = load_schema()
    found = _Validator(schema).errors(plan, schema, [])  # the built-in validator, whatever is installed
    assert found, "the built-in validator accepted a plan that breaks the schema"
    import re
    assert re.search(message, found[0]), found[0]
    with pytest.raises(PlanError):
        validate(plan)


@pytest.mark.parametrize("breaker,_", SCHEMA_BREAKS)
def test_jsonschema_agrees_with_builtin_validator(breaker, _):
    jsonschema = pytest.importorskip("jsonschema")
    assert not jsonschema.Draft202012Validator(load_schema()).is_valid(mutate(breaker))


CROSS_REFERENCE_BREAKS = [
    (lambda p: p["launches"][1]["args"]["x"].update(buffer="nope"), r"launches\[1\] \(ln0\).args.x: unknown buffer 'nope'"),
    (lambda p: p["launches"][1]["args"]["x"].update(input="input_ids"), r"exactly one of"),
    (lambda p: p["launches"][1].update(kernel="group_norm"), r"unknown kernel 'group_norm'"),
    (lambda p: p["launches"][1]["args"].pop("weight"), r"missing argument\(s\) weight"),
    (lambda p: p["launches"][1]["attrs"].update(epsilon=1), r"unknown attribute\(s\) epsilon"),
    (lambda p: p["buffers"]["h0"]["shape"].append("heads"), r"undeclared symbol\(s\) heads"),
    (lambda p: p["symbols"].update(heads={"max": 4}), r"symbol\(s\) heads appear in no input shape"),
    (lambda p: p["launches"][4].pop("grid"), r"needs a grid"),
    (lambda p: p["launches"][4]["attrs"].pop("BLOCK"), r"parameter 'BLOCK' \(constexpr\) needs a value"),
    (lambda p: p["launches"][4].update(kernel="generated:other"), r"generated kernel 'other' is not in"),
    (lambda p: p["outputs"].append(dict(p["inputs"][0])), r"name\(s\) used twice: input_ids"),
]


@pytest.mark.parametrize("breaker,message", CROSS_REFERENCE_BREAKS)
def test_cross_reference_errors(breaker, message):
    plan = mutate(breaker)
    validate(plan)  # each of these passes the schema: only the semantic checks catch it
    with pytest.raises(PlanError, match=message):
        check_plan(plan, LIBRARY)


def test_load_reports_bad_json_and_missing_files(tmp_path):
    with pytest.raises(PlanError, match="plan.json: cannot read"):
        Plan.load(tmp_path)
    (tmp_path / "plan.json").write_text("{ not json")
    with pytest.raises(PlanError, match="not valid JSON"):
        Plan.load(tmp_path)


def test_generated_source_that_does_not_load_is_a_plan_error(tmp_path):
    def break_source(spec):
        spec["generated_kernels"]["mask_to_additive"]["source"] = "import triton\ndef broken(:\n"
    directory, _ = make_plan_dir(tmp_path, break_source)
    with pytest.raises(PlanError, match="generated kernel mask_to_additive: source does not load: SyntaxError"):
        Plan.load(directory).to("cpu")
