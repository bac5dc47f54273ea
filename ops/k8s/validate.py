"""Validates one rendered kustomization (a multi-document YAML file) for ops/k8s/validate.sh.

  validate.py [--given KIND/NAME]... NAME RENDERED.yaml SCHEMA_DIR KUBERNETES_VERSION...

Every object is checked against the JSON schemas kubernetes-validate bundles, in strict mode
(a field the API does not define is an error), for each Kubernetes version given. A kind those
schemas do not know must have a schema of its own in SCHEMA_DIR, named as kubernetes-validate
names its own (`servicemonitor-monitoring-v1.json`): kubernetes-validate itself only warns about
an unknown kind and passes it, which would let a custom resource through unchecked.

Then what a schema cannot see, since it looks at one object at a time: that objects which
refer to each other agree (selectors that select something, ports and keys that exist). An
object named by --given is one the kustomization leaves to another (the base's Secret, which
each overlay generates): references to it are not checked.

Prints one line, `k8s NAME: ...`, and problems above it; exits 1 on any problem.
"""

import json
import os
import re
import sys

import jsonschema
import yaml
from kubernetes_validate import utils
from referencing import Registry, Resource

import references


def own_schema(obj, schema_dir, version):
    """The validator for a kind kubernetes-validate does not bundle, or None."""
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", obj["apiVersion"])
    path = os.path.join(schema_dir, f"{obj['kind'].lower()}-{api}.json")
    if not os.path.exists(path):
        return None, path
    with open(path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    # Its references to ObjectMeta and LabelSelector go to the bundled definitions of the
    # same Kubernetes version.
    full = [v for v in utils.all_versions() if utils.major_minor(v) == version][0]
    defs = utils.schema_contents(
        f"kubernetes-json-schema/v{full}-local-strict/_definitions.json", version
    )
    registry = Resource.from_contents(defs) @ Registry()
    return jsonschema.Draft202012Validator(schema, registry=registry), path


def check(obj, schema_dir, version):
    """Problems of one object against one version's schemas, and what validated it."""
    name = f"{obj.get('kind', '?')}/{obj.get('metadata', {}).get('name', '?')}"
    try:
        utils.validate(obj, version, strict=True)
        return [], "bundled"
    except utils.ValidationError as e:
        where = ".".join(str(p) for p in e.path) or "(top)"
        return [f"{name}, Kubernetes {version}: {where}: {e.message}"], "bundled"
    except utils.SchemaNotFoundError:
        pass
    validator, path = own_schema(obj, schema_dir, version)
    if validator is None:
        return [f"{name}: no schema for {obj['apiVersion']} {obj['kind']}: neither bundled "
                f"with kubernetes-validate {utils.__version__} nor at {path}"], None
    problems = []
    for e in validator.iter_errors(obj):
        where = ".".join(str(p) for p in e.path) or "(top)"
        problems.append(f"{name}, {os.path.basename(path)}: {where}: {e.message}")
    return problems, obj["kind"]


def main():
    args, given = sys.argv[1:], set()
    while args and args[0] == "--given":
        given.add(tuple(args[1].split("/", 1)))
        args = args[2:]
    name, rendered, schema_dir, *versions = args
    with open(rendered) as f:
        objs = [o for o in yaml.safe_load_all(f) if o]
    problems, own_kinds = [], set()
    for obj in objs:
        for version in versions:
            found, by = check(obj, schema_dir, version)
            problems += found
            if by not in (None, "bundled"):
                own_kinds.add(by)
    problems += references.problems(objs, given)
    # A schema of ops/k8s/schemas is the same for every version: its findings once.
    problems = list(dict.fromkeys(problems))
    for p in problems:
        print(f"  {name}: {p}")
    own = f", {'/'.join(sorted(own_kinds))} by ops/k8s/schemas" if own_kinds else ""
    verdict = f"{len(problems)} problems" if problems else "all valid"
    print(f"k8s {name}: {len(objs)} objects, {verdict} (strict schemas of Kubernetes "
          f"{' and '.join(versions)}{own}; references checked)")
    return 1 if problems or not objs else 0


if __name__ == "__main__":
    sys.exit(main())
