"""Checks on a schema-valid plan that JSON Schema cannot express: every name
refers to something declared, every formula parses over declared symbols, and
every launch binds what its kernel needs."""
from __future__ import annotations

from .errors import PlanError
from .formula import parse, symbols_of

TENSOR_SOURCES = ("buffer", "input", "output", "weight", "real")


def _check_formula(text, symbols: set[str], where: str) -> None:
    try:
        unknown = symbols_of(parse(text)) - symbols
    except PlanError as e:
        raise PlanError(f"plan.json {where}: {e}") from None
    if unknown:
        raise PlanError(f"plan.json {where}: formula {text!r} uses undeclared symbol(s) {', '.join(sorted(unknown))}")


def _check_io(plan: dict, symbols: set[str]) -> None:
    names = [io["name"] for io in plan["inputs"] + plan["outputs"]]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PlanError(f"plan.json: input/output name(s) used twice: {', '.join(dupes)}")
    bound = set()
    for i, io in enumerate(plan["inputs"]):
        for dim in io["shape"]:
            if isinstance(dim, str) and dim not in symbols:
                raise PlanError(f"plan.json inputs[{i}] ({io['name']}): dim {dim!r} must be an integer or a declared symbol")
            bound.add(dim)
    unbound = symbols - bound
    if unbound:
        raise PlanError(f"plan.json: symbol(s) {', '.join(sorted(unbound))} appear in no input shape, so they cannot be bound")
    for i, io in enumerate(plan["outputs"]):
        for dim in io["shape"]:
            _check_formula(dim, symbols, f"outputs[{i}] ({io['name']})")


def _check_ref(ref: dict, plan: dict, symbols: set[str], where: str) -> None:
    if "formula" in ref:
        _check_formula(ref["formula"], symbols, where)
        return
    sources = [k for k in TENSOR_SOURCES if k in ref]
    if len(sources) != 1:
        raise PlanError(f"plan.json {where}: a tensor argument names exactly one of {', '.join(TENSOR_SOURCES)}")
    kind, name = sources[0], ref[sources[0]]
    known = {"buffer": plan["buffers"], "weight": plan["weights"], "real": symbols,
             "input": {io["name"] for io in plan["inputs"]}, "output": {io["name"] for io in plan["outputs"]}}[kind]
    if name not in known:
        raise PlanError(f"plan.json {where}: unknown {kind} {name!r}")
    view = ref.get("view")
    if view:
        for key in ("shape", "strides"):
            for f in view.get(key, []):
                _check_formula(f, symbols, f"{where}.view.{key}")
        if "strides" in view and len(view["strides"]) != len(view["shape"]):
            raise PlanError(f"plan.json {where}.view: strides and shape differ in length")
        _check_formula(view.get("offset", 0), symbols, f"{where}.view.offset")


def _check_launch(i: int, launch: dict, plan: dict, symbols: set[str], library: dict) -> None:
    kernel, args, attrs = launch["kernel"], launch["args"], launch.get("attrs", {})
    where = f"launches[{i}] ({launch.get('name') or kernel})"
    for arg, ref in args.items():
        _check_ref(ref, plan, symbols, f"{where}.args.{arg}")
    if kernel.startswith("generated:"):
        kid = kernel[len("generated:"):]
        gen = plan.get("generated_kernels", {}).get(kid)
        if gen is None:
            raise PlanError(f"plan.json {where}: generated kernel {kid!r} is not in generated_kernels")
        if "grid" not in launch:
            raise PlanError(f"plan.json {where}: a generated kernel launch needs a grid")
        for f in launch["grid"]:
            _check_formula(f, symbols, f"{where}.grid")
        for param in gen["signature"]:
            name, kind = param["name"], param["kind"]
            if kind == "tensor" and name not in args:
                raise PlanError(f"plan.json {where}: tensor parameter {name!r} is not bound in args")
            if kind in ("float", "constexpr") and name not in attrs:
                raise PlanError(f"plan.json {where}: parameter {name!r} ({kind}) needs a value in attrs")
            if kind == "int" and name not in args and name not in attrs:
                raise PlanError(f"plan.json {where}: int parameter {name!r} needs an args formula or an attr")
        return
    spec = library.get(kernel)
    if spec is None:
        raise PlanError(f"plan.json {where}: unknown kernel {kernel!r} (library: {', '.join(sorted(library))}; "
                        "or 'generated:<id>')")
    missing = [a for a in spec.required if a not in args]
    extra = [a for a in args if a not in spec.required + spec.optional]
    bad_attrs = [a for a in attrs if a not in spec.attrs]
    if missing or extra or bad_attrs:
        problems = ([f"missing argument(s) {', '.join(missing)}"] if missing else []) + \
                   ([f"unknown argument(s) {', '.join(extra)}"] if extra else []) + \
                   ([f"unknown attribute(s) {', '.join(bad_attrs)}"] if bad_attrs else [])
        raise PlanError(f"plan.json {where}: {'; '.join(problems)}")
    if any("formula" in args[a] for a in args):
        raise PlanError(f"plan.json {where}: library kernels take tensors only (scalars go in attrs)")


def check_plan(plan: dict, library: dict) -> None:
    """Raise PlanError for the first cross-reference problem in a schema-valid plan."""
    symbols = set(plan["symbols"])
    _check_io(plan, symbols)
    _check_formula(plan["arena"]["size"], symbols, "arena.size")
    for name, buf in plan["buffers"].items():
        _check_formula(buf["offset"], symbols, f"buffers.{name}.offset")
        for f in buf["shape"]:
            _check_formula(f, symbols, f"buffers.{name}.shape")
    for i, launch in enumerate(plan["launches"]):
        _check_launch(i, launch, plan, symbols, library)
