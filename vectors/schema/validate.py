#!/usr/bin/env python3
"""Validates every vectors/corpus/*.json against vector-file.schema.json (needs `jsonschema`)."""
import json, pathlib, sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate.py needs the jsonschema package: pip install jsonschema")

here = pathlib.Path(__file__).resolve().parent
schema = json.loads((here / "vector-file.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
count, errors = 0, 0
for path in sorted((here.parent / "corpus").glob("*.json")):
    document = json.loads(path.read_text())
    count += len(document["vectors"])
    for error in validator.iter_errors(document):
        errors += 1
        print(f"{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
print(f"{count} vectors checked against the schema, {errors} errors")
sys.exit(1 if errors else 0)
