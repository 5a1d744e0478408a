"""A notebook's parameters, read from its cell tagged "parameters", and validation of overrides before any kernel starts.

The cell declares each parameter through diffusion.report.Parameters with literal arguments:

    var P = diffusion.report.Parameters.of("02_ddpm_2d");
    int seed = P.integer("seed", 0, 0, 999);
    double eta = P.real("eta", 0.0, 0.0, 1.0);
    String schedule = P.choice("schedule", "linear", "linear", "cosine");
    boolean ema = P.bool("ema", true);
    P.show();

The same declarations run in Java (which applies WORKBENCH_PARAMS) and are parsed here, so that a bad
--set is rejected with the accepted names and ranges before anything runs.
"""
import re
import sys
from pathlib import Path

ENVIRONMENT = "WORKBENCH_PARAMS"
TAG = "parameters"
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
INTEGER = r"-?\d+"
REAL = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
STRING = r'"[^"\\]*"'
DECLARATION = re.compile(r"\bP\.(integer|real|choice|bool)\s*\(")
CALL_REST = re.compile(r"([^()]*)\)")  # the arguments of a declaration: literals, so no parentheses
ARGUMENTS = {
    "integer": re.compile(rf'^\s*"({NAME})"\s*,\s*({INTEGER})\s*,\s*({INTEGER})\s*,\s*({INTEGER})\s*$'),
    "real": re.compile(rf'^\s*"({NAME})"\s*,\s*({REAL})\s*,\s*({REAL})\s*,\s*({REAL})\s*$'),
    "choice": re.compile(rf'^\s*"({NAME})"\s*,\s*({STRING}(?:\s*,\s*{STRING})+)\s*$'),
    "bool": re.compile(rf'^\s*"({NAME})"\s*,\s*(true|false)\s*$'),
}


class ParameterError(ValueError):
    """A bad declaration or a bad override; the message names the notebook, the parameter and what is accepted."""


class Parameter:
    def __init__(self, kind, name, default, low=None, high=None, choices=None):
        self.kind, self.name, self.default, self.low, self.high, self.choices = kind, name, default, low, high, choices

    def accepted(self):
        if self.kind in ("integer", "real"):
            return f"{'an integer' if self.kind == 'integer' else 'a number'} in [{self.low}, {self.high}]"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return "true or false"

    def describe(self):
        return f"{self.name} ({self.accepted()}; default {self.text(self.default)})"

    def text(self, value):
        """value as the Java side parses it."""
        if self.kind == "bool":
            return "true" if value else "false"
        return repr(value) if self.kind == "real" else str(value)

    def parse(self, text):
        """The value of the string text, or None when text is not an accepted value."""
        text = text.strip()
        try:
            if self.kind == "integer":
                value = int(text)
            elif self.kind == "real":
                value = float(text)
                if value != value:  # NaN
                    return None
            elif self.kind == "choice":
                return text if text in self.choices else None
            else:
                return {"true": True, "false": False}.get(text)
        except ValueError:
            return None
        return value if self.low <= value <= self.high else None


def parameters_cell(nb):
    """The first code cell tagged "parameters", or None."""
    return next((c for c in nb.cells if c.cell_type == "code" and TAG in c.get("metadata", {}).get("tags", [])), None)


def declarations(nb, notebook):
    """{name: Parameter} in declaration order; {} for a notebook without a parameters cell."""
    cell = parameters_cell(nb)
    if cell is None:
        return {}
    found = {}
    for match in DECLARATION.finditer(cell.source):
        kind = match.group(1)
        rest = CALL_REST.match(cell.source, match.end())
        parsed = ARGUMENTS[kind].match(rest.group(1)) if rest else None
        if parsed is None:
            line = cell.source[match.start():].split("\n", 1)[0]
            raise ParameterError(f"{notebook}: cannot read the declaration {line} of its parameters cell: "
                                 "give the name, default and range as literals")
        name = parsed.group(1)
        if kind == "integer":
            p = Parameter(kind, name, *(int(x) for x in parsed.groups()[1:]))
        elif kind == "real":
            p = Parameter(kind, name, *(float(x) for x in parsed.groups()[1:]))
        elif kind == "choice":
            values = re.findall(STRING, parsed.group(2))
            p = Parameter(kind, name, values[0][1:-1], choices=[v[1:-1] for v in values[1:]])
        else:
            p = Parameter(kind, name, parsed.group(2) == "true")
        if name in found:
            raise ParameterError(f"{notebook}: parameter {name} is declared twice")
        if (kind in ("integer", "real") and not p.low <= p.default <= p.high) or \
                (kind == "choice" and p.default not in p.choices):
            raise ParameterError(f"{notebook}: parameter {name}: default {p.default} is not {p.accepted()}")
        found[name] = p
    return found


def accepted_list(declared):
    return "; ".join(p.describe() for p in declared.values()) or "none (the notebook has no parameters cell)"


def split_assignment(text, what="--set"):
    """('name', 'value') of 'name=value'."""
    name, eq, value = text.partition("=")
    if not eq or not re.fullmatch(NAME, name.strip()):
        raise ParameterError(f"{what} {text}: expected NAME=VALUE")
    return name.strip(), value.strip()


def validate(declared, notebook, assignments):
    """{name: value} (declaration order) of assignments [(name, text)], or ParameterError naming what is accepted."""
    values = {}
    for name, text in assignments:
        if name not in declared:
            raise ParameterError(f"{notebook}: no parameter '{name}'; accepted: {accepted_list(declared)}")
        value = declared[name].parse(text)
        if value is None:
            raise ParameterError(f"{notebook}: parameter {name} = '{text}': must be {declared[name].accepted()}")
        values[name] = value
    return {name: values[name] for name in declared if name in values}


def environment(declared, values):
    """WORKBENCH_PARAMS for values: name=value;... as the Java side parses it."""
    return ";".join(f"{name}={declared[name].text(value)}" for name, value in values.items())


def slug(declared, values):
    """A folder name for a run with these values: name=value joined by ',' (declaration order); 'defaults' for none."""
    return ",".join(f"{name}={declared[name].text(value)}" for name, value in values.items()) or "defaults"


def main(argv=None):
    """List notebooks' parameters, or with --set check overrides against them (exit status 2 naming what is accepted)."""
    import argparse

    import nbformat
    from run_notebooks import resolve

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("notebooks_dir", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("notebooks", nargs="*", help="default: every notebook of NOTEBOOKS_DIR")
    args = parser.parse_intermixed_args(argv)
    try:
        assignments = [split_assignment(text) for text in args.set]
        for path in resolve(args.notebooks, args.notebooks_dir):
            declared = declarations(nbformat.read(path, as_version=4), path.stem)
            if assignments:
                validate(declared, path.stem, assignments)
                continue
            print(f"{path.stem}:" + ("" if declared else " no parameters cell"))
            for p in declared.values():
                print(f"  {p.name:<14} default {p.text(p.default):<10} {p.accepted()}")
    except ParameterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
