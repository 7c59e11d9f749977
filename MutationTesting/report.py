"""The mutation report: totals and score, tables by requirement and by spec section, survivors,
stale equivalence notes and errors; as text for a person or as one JSON object.

Statuses:
  killed        the corpus failed the mutant
  survived      the corpus passed it, and equivalent.txt does not list it
  equivalent    the corpus passed it, and equivalent.txt explains why no vector can fail it
  not viable    the mutant does not compile (an error)
  stale patch   a Swift patch that does not apply to the working tree any more (an error)
  not run       not started (--time-box reached); never counted as killed

Score = killed / (killed + survived): equivalent mutants are not faults, and mutants that did not
run say nothing. A mutant attributed to several requirements counts in each of their rows, so the
rows of a table can add up to more than the totals.
"""

import json

STATUSES = ("killed", "survived", "equivalent", "not viable", "stale patch", "not run")
TOTAL_KEYS = {"killed": "killed", "survived": "survived", "equivalent": "equivalent",
              "not viable": "notViable", "stale patch": "stalePatch", "not run": "notRun"}
NOT_RUN_LISTED_IN_TEXT = 100


def score(killed, survived):
    return round(100.0 * killed / (killed + survived), 1) if killed + survived else None


def build(mutants, stale_notes, errors, index, meta):
    """mutants: dicts with id, set, status, requirements, section, subsection, sections,
    description, killedBy (and more). meta: what was run (sets, selection, time box, seconds)."""
    totals = {TOTAL_KEYS[s]: sum(1 for m in mutants if m["status"] == s) for s in STATUSES}
    totals["mutants"] = len(mutants)
    totals["score"] = score(totals["killed"], totals["survived"])
    totals["scoreText"] = "n/a" if totals["score"] is None else "%.1f%%" % totals["score"]

    def table(keys_of, sort_key, name, extra=None):
        rows = {}
        for m in mutants:
            if m["status"] not in ("killed", "survived", "equivalent"):
                continue
            for key in keys_of(m):
                row = rows.setdefault(key, {name: key, "killed": 0, "survived": 0, "equivalent": 0})
                row[m["status"]] += 1
        out = []
        for key in sorted(rows, key=sort_key):
            row = rows[key]
            row["score"] = score(row["killed"], row["survived"])
            if extra:
                row.update(extra(key))
            out.append(row)
        return out

    unattributed_last = lambda k: (k == "unattributed", k)   # noqa: E731
    by_requirement = table(lambda m: m["requirements"] or ["unattributed"],
                           lambda k: (k == "unattributed",) + index.sort_key(k), "requirement",
                           lambda k: dict(zip(("section", "subsection"), index.section(k)))
                           if k != "unattributed" else {"section": "unattributed", "subsection": "unattributed"})
    by_section = table(lambda m: m["sections"], lambda k: (k == "unattributed",) + index.section_key(k), "section")
    by_subsection = table(lambda m: m["subsections"], unattributed_last, "subsection")

    survivors = [{"id": m["id"], "requirements": m["requirements"], "description": m["description"]}
                 for m in mutants if m["status"] == "survived"]
    return {
        "title": "PumpWire mutation analysis",
        **meta,
        "totals": totals,
        "byRequirement": by_requirement,
        "bySection": by_section,
        "bySubsection": by_subsection,
        "survivors": survivors,
        "staleNotes": stale_notes,
        "errors": errors,
        "passed": not survivors and not errors,
        "mutants": mutants,
    }


def to_json(report):
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def to_text(report):
    t = report["totals"]
    lines = ["%s: %s" % (report["title"], report["selectionText"])]
    if report.get("timeBox") and report["timeBox"].get("reached"):
        lines.append("time box of %s s reached: %d mutants not started (listed as not run)"
                     % (report["timeBox"]["seconds"], t["notRun"]))
    lines.append("")
    lines.append("Mutants: %d  killed %d, survived %d, equivalent %d, not viable %d, stale patch %d, not run %d"
                 % (t["mutants"], t["killed"], t["survived"], t["equivalent"], t["notViable"], t["stalePatch"],
                    t["notRun"]))
    lines.append("Score: %s  (killed / (killed + survived))" % t["scoreText"])
    lines.append("Time: %.0f s" % report["seconds"])

    def rows(title, key, items, width, tail=None):
        lines.append("")
        lines.append("%s (killed / survived / equivalent, score):" % title)
        if not items:
            lines.append("  (none)")
        for r in items:
            s = "n/a" if r["score"] is None else "%.1f%%" % r["score"]
            line = "  %-*s %5d / %d / %d   %6s" % (width, r[key], r["killed"], r["survived"], r["equivalent"], s)
            if tail:
                line += "   " + tail(r)
            lines.append(line.rstrip())

    rows("By requirement", "requirement", report["byRequirement"], 14, lambda r: r.get("section", ""))
    rows("By spec section", "section", report["bySection"],
         max([len(r["section"]) for r in report["bySection"]] + [10]))

    lines.append("")
    lines.append("Survivors (%d):" % len(report["survivors"]))
    if not report["survivors"]:
        lines.append("  (none)")
    for s in report["survivors"]:
        lines.append("  %s  [%s]" % (s["id"], ", ".join(s["requirements"]) or "unattributed"))
        lines.append("      %s" % s["description"])

    if report["staleNotes"]:
        lines.append("")
        lines.append("Stale equivalence notes (%d):" % len(report["staleNotes"]))
        for n in report["staleNotes"]:
            lines.append("  %s: %s" % (n["id"], n["note"]))

    not_run = [m["id"] for m in report["mutants"] if m["status"] == "not run"]
    if not_run:
        lines.append("")
        lines.append("Not run (%d):" % len(not_run))
        if len(not_run) <= NOT_RUN_LISTED_IN_TEXT:
            lines.extend("  " + i for i in not_run)
        else:
            lines.append("  (more than %d: see the JSON report, --output FILE)" % NOT_RUN_LISTED_IN_TEXT)

    if report["errors"]:
        lines.append("")
        lines.append("Errors (%d):" % len(report["errors"]))
        lines.extend("  " + e for e in report["errors"])

    lines.append("")
    lines.append("mutation analysis: %s" % ("PASS" if report["passed"] else "FAIL"))
    return "\n".join(lines) + "\n"
