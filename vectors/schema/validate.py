#!/usr/bin/env python3
"""Validates every vectors/corpus/*.json against vector-file.schema.json, and every
vectors/crypto/*.json against crypto-primitives.schema.json (needs `jsonschema`)."""
import json, pathlib, sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate.py needs the jsonschema package: pip install jsonschema")

here = pathlib.Path(__file__).resolve().parent


def validate(schema_name, directory):
    """Returns (vectors, errors) over directory/*.json, printing each error."""
    schema = json.loads((here / schema_name).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    count, errors = 0, 0
    for path in sorted((here.parent / directory).glob("*.json")):
        document = json.loads(path.read_text())
        count += len(document.get("vectors", []))
        for error in validator.iter_errors(document):
            errors += 1
            print(f"{directory}/{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
    return count, errors


count, errors = validate("vector-file.schema.json", "corpus")
print(f"{count} vectors checked against the schema, {errors} errors")
crypto_count, crypto_errors = validate("crypto-primitives.schema.json", "crypto")
print(f"{crypto_count} crypto vectors checked against the crypto schema, {crypto_errors} errors")
sys.exit(1 if errors or crypto_errors else 0)
