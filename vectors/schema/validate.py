#!/usr/bin/env python3
"""Validates every vectors/corpus/*.json against vector-file.schema.json, vectors/crypto/primitives.json
against crypto-primitives.schema.json, vectors/crypto/sessions.json against
crypto-sessions.schema.json and every pump scenario, vectors/scenarios/*.json, against
scenario.schema.json, whose `scenario` must be its file's name (needs `jsonschema`). Any other
vectors/crypto/*.json is an error: each file there needs its schema named here."""
import json, pathlib, sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate.py needs the jsonschema package: pip install jsonschema")

here = pathlib.Path(__file__).resolve().parent


CRYPTO_SCHEMAS = {"primitives.json": "crypto-primitives.schema.json", "sessions.json": "crypto-sessions.schema.json"}


def validate(schema_name, directory, only=None):
    """Returns (vectors, errors) over directory/*.json (or directory/only), printing each error."""
    schema = json.loads((here / schema_name).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    count, errors = 0, 0
    for path in sorted((here.parent / directory).glob(only or "*.json")):
        document = json.loads(path.read_text())
        count += len(document.get("vectors", [])) + sum(
            len(document.get(key, [])) for key in ("handshakes", "sealedFrames", "rejections", "lowOrderKeys"))
        for error in validator.iter_errors(document):
            errors += 1
            print(f"{directory}/{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
    return count, errors


count, errors = validate("vector-file.schema.json", "corpus")
print(f"{count} vectors checked against the schema, {errors} errors")
crypto_count, crypto_errors = 0, 0
for path in sorted((here.parent / "crypto").glob("*.json")):
    if path.name not in CRYPTO_SCHEMAS:
        print(f"crypto/{path.name}: no schema for this file (validate.py CRYPTO_SCHEMAS)", file=sys.stderr)
        crypto_errors += 1
        continue
    file_count, file_errors = validate(CRYPTO_SCHEMAS[path.name], "crypto", path.name)
    crypto_count, crypto_errors = crypto_count + file_count, crypto_errors + file_errors
print(f"{crypto_count} crypto vectors checked against the crypto schemas, {crypto_errors} errors")

scenario_validator = jsonschema.Draft202012Validator(json.loads((here / "scenario.schema.json").read_text()))
scenario_count, scenario_errors = 0, 0
for path in sorted((here.parent / "scenarios").glob("*.json")):
    scenario_count += 1
    document = json.loads(path.read_text())
    for error in scenario_validator.iter_errors(document):
        scenario_errors += 1
        print(f"scenarios/{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
    if isinstance(document, dict) and document.get("scenario") != path.stem:
        scenario_errors += 1
        print(f"scenarios/{path.name}: scenario is {document.get('scenario')!r}, not the file's name", file=sys.stderr)
print(f"{scenario_count} pump scenarios checked against scenario.schema.json, {scenario_errors} errors")
sys.exit(1 if errors or crypto_errors or scenario_errors else 0)
