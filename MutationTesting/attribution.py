"""Which spec requirements a mutant concerns, and in which spec section each requirement is defined.

Requirement ids (`PW-FRAME-3`) are defined at the start of a line, or after `- `, in
spec/pumpwire-v1.md (`PW-FRAME-3: ...`); `PW-CONF-n` in spec/conformance.md. A requirement's
section is the numbered heading it is defined under: the top-level one ("4 Frame") for the reports,
and the subsection ("4.2 Order of frame checks") kept alongside.
"""

import io
import re
import tokenize

import paths

REQUIREMENT = re.compile(r"PW-[A-Z]+-[0-9]+")
DEFINITION = re.compile(r"^(?:- )?(PW-[A-Z]+-[0-9]+):")
HEADING = re.compile(r"^(##|###) (.*\S)")
UNATTRIBUTED = "unattributed"
CONFORMANCE = "conformance.md"


class RequirementIndex:
    """id -> (section, subsection), in the order the specs define them."""

    def __init__(self):
        self.sections = {}
        self.order = {}            # id -> rank, for sorting report rows in spec order
        self.section_order = {}    # section -> rank
        for path, conformance in ((paths.SPEC, False), (paths.CONFORMANCE_SPEC, True)):
            self._read(path, conformance)

    def _read(self, path, conformance):
        top = sub = None
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError:
            return
        for line in lines:
            h = HEADING.match(line)
            if h:
                title = re.sub(r"^(\d+)\.\s+", r"\1 ", h.group(2))   # "4. Frame" -> "4 Frame"
                if h.group(1) == "##":
                    top = title
                sub = title
                continue
            d = DEFINITION.match(line)
            if d and d.group(1) not in self.sections:
                section = CONFORMANCE if conformance else (top or "?")
                subsection = "%s %s" % (CONFORMANCE, sub) if conformance else (sub or "?")
                self.sections[d.group(1)] = (section, subsection)
                self.order[d.group(1)] = len(self.order)
                self.section_order.setdefault(section, len(self.section_order))

    def section(self, requirement):
        return self.sections.get(requirement, ("unknown requirement", "unknown requirement"))

    def sort_key(self, requirement):
        return (self.order.get(requirement, len(self.order)), requirement)

    def section_key(self, section):
        return (self.section_order.get(section, len(self.section_order)), section)


def source_notes(source):
    """Per line, the text of its comments and of any docstring (or other string statement) on it:
    what a maintainer wrote about the code, where requirement ids are cited."""
    notes = {}
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for k, tok in enumerate(tokens):
        if tok.type == tokenize.COMMENT:
            notes[tok.start[0]] = notes.get(tok.start[0], "") + " " + tok.string
        elif tok.type == tokenize.STRING:
            # A string alone on its logical line (a docstring): it starts a statement.
            before = tokens[k - 1].type if k else tokenize.NEWLINE
            after = tokens[k + 1].type if k + 1 < len(tokens) else tokenize.NEWLINE
            if before in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT) and \
                    after in (tokenize.NEWLINE, tokenize.COMMENT):
                for offset, text in enumerate(tok.string.split("\n")):
                    line = tok.start[0] + offset
                    notes[line] = notes.get(line, "") + " " + text
    return notes


def section_banners(source):
    """Lines of the file's section banners (`# ====...`): the file is organised by spec section,
    and the upward search of `attribute` does not cross into another section."""
    return {i + 1 for i, line in enumerate(source.splitlines()) if line.startswith("# ====")}


def attached_start(lines, first):
    """The first line of the comment block written directly above a definition (no blank line
    between): it describes the function as its docstring would (`# PW-SESSION-7` above
    `def response`)."""
    while first > 1 and lines[first - 2].strip().startswith("#") and not lines[first - 2].startswith("# ===="):
        first -= 1
    return first


def attribute(line, scope, notes, banners, in_function=True):
    """The requirement ids a Python mutant at `line` is attributed to.

    scope is (first, head_end, last): the lines of the enclosing function, from the comment block
    attached above its `def` to its end, head_end being the end of its signature and docstring;
    or, for code outside functions, the module-level lines from the previous definition to the
    line. In order:
      1. the ids cited in the nearest comment (or docstring line) citing any, at or above the
         line, within the function; the function's head (the `def` line's comment, the docstring)
         counts as above every line of the function, its signature included;
      2. else every id cited anywhere in the function;
      3. else the nearest id cited above the function, without crossing a section banner;
      4. else none ("unattributed").
    Module-level code (in_function False) stops after step 1: the lines above it belong to other
    definitions, whose ids say nothing about a constant table.
    """
    def cited(ln):
        return REQUIREMENT.findall(notes.get(ln, ""))

    first, head_end, last = scope
    for ln in list(range(line, first - 1, -1)) + list(range(line + 1, head_end + 1)):
        if cited(ln):
            return _unique(cited(ln))
    if not in_function:
        return []
    anywhere = [r for ln in range(first, last + 1) for r in cited(ln)]
    if anywhere:
        return _unique(anywhere)
    for ln in range(first - 1, 0, -1):
        if ln in banners:
            break
        if cited(ln):
            return _unique(cited(ln))
    return []


def _unique(ids):
    seen = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return seen
