"""Validates scenario TOML files against the scenario JSON Schema with the `jsonschema`
package (Draft 2020-12), as an editor would.

usage: validate_scenarios.py SCHEMA FILE...
Prints one line per file: `ok PATH` or `invalid PATH: message`. Exit 0 always; the caller
judges the lines.
"""
import json
import sys
import tomllib

import jsonschema


def main() -> None:
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            document = tomllib.load(f)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.path)
            print(f"invalid {path}: {where}: {first.message}")
        else:
            print(f"ok {path}")


main()
