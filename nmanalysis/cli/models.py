"""``nmanalysis models`` and ``nmanalysis info``: the library and one model's contents."""

from __future__ import annotations

from ._args import add_model_args, read_model
from ._report import num_or_dash, pair_or_dash, table_lines

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("models", help="list the library models",
                       description="List the library models with their descriptions, "
                                   "variants and references.")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("info", help="states, parameters and equations of a model",
                       description="Show a model's states, parameters (value, units, typical "
                                   "range, meaning), inputs, observables, helper functions "
                                   "and equations.")
    add_model_args(p)
    p.set_defaults(func=_cmd_info)


def _cmd_models(args) -> int:
    from ..models import describe_models
    described = describe_models()
    width = max(map(len, described))
    for name, (desc, ref, variants) in described.items():
        extra = f"  [variants: {', '.join(variants)}]" if variants else ""
        print(f"{name.ljust(width)}  {desc}{extra}")
        print(f"{'':{width}}  reference: {ref}")
    print("\nDetails: nmanalysis info MODEL")
    return 0


def _info_lines(model) -> list[str]:
    out = []
    if model.state_info:
        out += ["", "States (default initial value):"]
        out += table_lines(("name", "initial", "units", "bounds", "meaning"),
                           [(k, num_or_dash(s.value), s.units or "-", pair_or_dash(s.bounds),
                             s.description) for k, s in model.state_info.items()])
    if model.param_info:
        with_bounds = any(p.bounds for p in model.param_info.values())
        heads = ("name", "value", "units", "range") + (("bounds",) if with_bounds else ())
        rows = [(k, num_or_dash(p.value), p.units or "-", pair_or_dash(p.range))
                + ((pair_or_dash(p.bounds),) if with_bounds else ()) + (p.description,)
                for k, p in model.param_info.items()]
        out += ["", "Parameters:", *table_lines(heads + ("meaning",), rows)]
    if model.input_info:
        out += ["", "Inputs (default constant value; set a time course with simulate):"]
        out += table_lines(("name", "default", "units", "meaning"),
                           [(k, num_or_dash(i.value), i.units or "-", i.description)
                            for k, i in model.input_info.items()])
    if model.observable_info:
        out += ["", "Observables:"]
        out += table_lines(("name", "units", "expression", "meaning"),
                           [(k, o.units or "-", o.expression, o.description)
                            for k, o in model.observable_info.items()])
    if model.functions:
        out += ["", "Helper functions:"]
        out += [f"  {sig} = {body}" for sig, body in model.functions.items()]
    width = max(len(s) for s in model.state_names)
    out += ["", "Equations:"]
    out += [f"  d{s}/dt{'':{width - len(s)}} = {eq}" for s, eq in model.equations.items()]
    return out


def _cmd_info(args) -> int:
    from ..models import describe_models
    model = read_model(args.model, args.variant)
    variant = f" (variant {model.variant!r})" if model.variant else ""
    lines = [f"{model.name}{variant}: {model.description or '(no description)'}"]
    library = describe_models().get(args.model)
    if library and library[2]:
        lines.append(f"variants: {', '.join(library[2])} (select with --variant)")
    lines.append(f"time units: {model.time_units or 'not given'}")
    lines += _info_lines(model)
    if model.reference:
        lines += ["", f"Reference: {model.reference}"]
    print("\n".join(lines))
    return 0
