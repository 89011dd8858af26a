"""Release step ``eligibility``: validate the aid rules of ``rules/`` and compile the catalogue.

Every ``rules/*.yaml`` file is checked against ``rules/schema.json`` (JSON Schema 2020-12) and a few
cross-file checks (unique ids, file name = id, answer names from the vocabulary, zone codes valid
for the professions, known exclusion ids, ``valid_from`` ≤ ``valid_until``). A malformed file fails
the build with a :class:`RuleError` naming the file and the field. The result,
``eligibility/aids.json``, is what the eligibility function serves and evaluates; every rule is
also loaded here into the engine's typed objects (``rezone.eligibility.rules``), so a rule the
engine cannot read fails the build rather than a request.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import yaml
from rezone import layout
from rezone.constants import ZONE_CODES
from rezone.eligibility.rules import answer_refs, compile_rules
from rezone.eligibility.vocabulary import QUESTION_NAMES

__all__ = ["CATALOGUE", "RULES_DIR", "RuleError", "build", "compile_rules_dir", "load_rule_file"]

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
CATALOGUE = layout.AIDS_CATALOGUE
SCHEMA_VERSION = 1


class RuleError(ValueError):
    """A rule file is malformed: ``file`` and ``field`` name the place."""

    def __init__(self, file: str | Path, field: str, message: str):
        self.file, self.field = str(file), field
        super().__init__(f"{self.file}: field '{field}': {message}")


def _json_path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(root)"


def _dates_to_str(obj):
    """YAML turns unquoted 2026-01-01 into a date: keep the ISO string the schema expects."""
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _dates_to_str(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_dates_to_str(v) for v in obj]
    return obj


def _validator(rules_dir: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads((rules_dir / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def load_rule_file(path: Path, validator) -> dict:
    """Parse and validate one rule file (schema and vocabulary)."""
    try:
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise RuleError(path.name, where, f"YAML invalide: {exc}") from None
    if not isinstance(rule, dict):
        raise RuleError(path.name, "(root)", "a rule file must be a mapping")
    rule = _dates_to_str(rule)
    errors = sorted(
        validator.iter_errors(rule), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if errors:
        # the deepest error names the field most precisely
        e = max(errors, key=lambda e: len(e.absolute_path))
        parts = list(e.absolute_path)
        if e.validator == "required" and isinstance(e.instance, dict):
            parts += [k for k in e.validator_value if k not in e.instance][:1]
        raise RuleError(path.name, _json_path(parts), e.message)
    if path.stem.upper() != rule["id"]:
        raise RuleError(
            path.name, "id", f"the file name must be the lower-case id ({rule['id'].lower()}.yaml)"
        )
    for field, name in answer_refs(rule):
        if name not in QUESTION_NAMES:
            raise RuleError(
                path.name, field, f"unknown answer name {name!r} (see rezone.eligibility.vocabulary)"
            )
    codes = (rule.get("zone") or {}).get("codes") or ()
    for p in rule["professions"]:
        bad = [c for c in codes if c not in ZONE_CODES[p]]
        if bad:
            raise RuleError(path.name, "zone.codes", f"{bad} are not zone codes of profession {p!r}")
    by_zone = (rule.get("amount") or {}).get("by_zone") or {}
    for c in by_zone:
        if codes and c not in codes:
            raise RuleError(
                path.name, f"amount.by_zone.{c}", f"zone {c!r} is not in zone.codes {list(codes)}"
            )
    if rule["valid_from"] and rule["valid_until"] and rule["valid_from"] > rule["valid_until"]:
        raise RuleError(path.name, "valid_until", "valid_until is before valid_from")
    shares = (rule.get("amount") or {}).get("shares")
    if shares and abs(sum(s["share"] for s in shares) - 1) > 1e-9:
        raise RuleError(path.name, "amount.shares", "the shares of the payment schedule must sum to 1")
    amount = rule.get("amount") or {}
    sched = amount.get("schedule") if amount.get("type") == "fixed" else None
    if (
        sched
        and all(s["amount"] is not None for s in sched)
        and abs(sum(s["amount"] for s in sched) - amount["total"]) > 0.005
    ):
        raise RuleError(path.name, "amount.schedule", "the instalments must sum to amount.total")
    try:  # the engine loads the rule into its typed objects exactly as the serving side will
        compile_rules([rule])
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(path.name, "(rule)", f"the engine cannot load this rule: {exc!r}") from None
    return rule


def compile_rules_dir(rules_dir: Path | str = RULES_DIR) -> dict:
    """Validate every rule file of ``rules_dir`` and return the compiled catalogue."""
    rules_dir = Path(rules_dir)
    validator = _validator(rules_dir)
    files = sorted(rules_dir.glob("*.yaml")) + sorted(rules_dir.glob("*.yml"))
    if not files:
        raise RuleError(rules_dir, "(directory)", "no rule file (*.yaml)")
    rules, seen = [], {}
    for f in files:
        rule = load_rule_file(f, validator)
        if rule["id"] in seen:
            raise RuleError(f.name, "id", f"duplicate id {rule['id']!r} (also in {seen[rule['id']]})")
        seen[rule["id"]] = f.name
        rule["file"] = f"rules/{f.name}"
        rules.append(rule)
    for rule in rules:
        for i, other in enumerate(rule.get("exclusions") or ()):
            if other not in seen:
                raise RuleError(Path(rule["file"]).name, f"exclusions[{i}]", f"unknown aid id {other!r}")
    return {"schema_version": SCHEMA_VERSION, "count": len(rules), "aids": rules}


def build(ds, out: Path, ctx) -> dict:
    """Release step: write ``eligibility/aids.json`` (the dataset is not needed)."""
    doc = compile_rules_dir(getattr(ctx, "rules_dir", None) or RULES_DIR)
    path = Path(out) / CATALOGUE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {"rules": doc["count"], "ids": [r["id"] for r in doc["aids"]]}
