"""Syntax mutants of the Python testee (examples/python-testee/pumpwire_testee.py).

Each mutant is one small change to the testee's syntax tree (`ast`), made in memory: nothing is
written to disk. `generate` walks the tree in source order and returns every mutant with a closure
that applies it to *that* tree; a mutant is therefore applied to a freshly parsed tree, one mutant
per tree (`mutated_tree`).

Mutant ids are `<qualified function>:<operator>:<n>`, n counting (from 1) that operator's mutants in
that function in source order. An edit to another function leaves the id unchanged, which is what
lets equivalent.txt name mutants by id.

Scope: what the testee runs while it serves requests: the module-level code, and every definition
reachable from `serve` in the module's call graph (`serving_definitions`). A helper only the
self-test calls (D1 and D4, the fragmenting encoder, the JSON view of a log item) can change nothing
a runner sees, so its mutants would all be equivalent. The command line and the stderr logger are
left alone too (SKIPPED_DEFS), and so are docstrings, asserts (the testee's own consistency checks,
not protocol behaviour), log and exception messages (MESSAGE_CALLS) and `if`s that only log.
"""

import ast
import io
import os
import sys
import tokenize
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paths  # noqa: E402

# Module-level definitions out of scope. `frame` is the self-test's raw frame builder; `log` only
# writes to standard error, which the runner ignores (conformance.md 2.1).
SKIPPED_DEFS = {"SelfTest", "self_test", "parse_hex_block", "spec_examples", "frame", "main", "log"}

# Calls whose arguments are only a message (to stderr, or inside an exception whose text the runner
# does not compare): nothing inside them is mutated.
MESSAGE_CALLS = {"log", "BadRequest", "ValueError", "print"}

# The file's checking helper: `check(condition, code, offset)` raises when the condition is false.
CHECK_HELPER = "check"

RELATIONAL = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,), ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,),
}
ARITHMETIC = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv, ast.LShift: ast.RShift, ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitOr,
}
SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.And: "and", ast.Or: "or",
}

# `+` and `*` on bytes, strings and lists (concatenation, repetition) are not arithmetic: turning
# them into `-` or `//` only makes a TypeError, a fault nobody would write. Such operands are
# recognised by these helpers' names (the file's byte encoders) and by their syntax.
SEQUENCE_CALLS = {"u8", "u16", "u32", "u64", "bytes", "bytearray", "encode_text", "rejected",
                  "build_frame", "encode_frame", "encode_payload", "encode_payload_unchecked",
                  "encode_log_record", "str", "repr", "list", "tuple", "sorted"}
SEQUENCE_METHODS = {"encode", "decode", "hex", "fromhex", "join", "pack", "tobytes"}
SEQUENCE_NAMES = {"SYNC", "ERASED_SLOT", "NAME"}
STRUCT_FUNCTIONS = {"pack", "unpack", "unpack_from", "pack_into", "calcsize", "iter_unpack", "Struct"}


@dataclass
class Mutant:
    id: str                 # e.g. "decode_prescription_block:relational:3"
    function: str           # qualified name, "<module>" outside functions
    operator: str
    line: int
    description: str        # one line: `line 432: '<=' -> '<' in "if total <= 1024"`
    scope: tuple            # (first, head end, last) lines of the enclosing function (attribution)
    apply: object = field(repr=False, compare=False)


def read_source(path=paths.TESTEE):
    with open(path, encoding="utf-8") as f:
        return f.read()


def generate(source, tree=None, describe=True, only=None):
    """Every mutant of the source, in source order. The closures apply to `tree` (parsed here if
    not given). describe=False skips the descriptions' source snippets (the launcher's fast path).
    `only` (a function's qualified name, or `<module>`) walks just that part of the module: ids
    count within their function, so they come out the same, at a fraction of the cost."""
    if tree is None:
        tree = ast.parse(source)
    g = _Generator(source, describe, None if only else serving_definitions(tree), only)
    g.module(tree)
    return g.mutants


def serving_definitions(tree, root="serve"):
    """The module-level functions and classes that can run while the testee serves requests: the
    ones `root` reaches by name, and the ones module-level code names (tables of handlers), through
    any number of calls. A reached class brings all its methods."""
    defs = {stmt.name: stmt for stmt in tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name not in SKIPPED_DEFS}
    module_code = [stmt for stmt in tree.body
                   if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not _is_main_guard(stmt)]

    def names_in(node):
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defs}

    reached = {root} | set().union(*(names_in(stmt) for stmt in module_code))
    todo = list(reached)
    while todo:
        for name in names_in(defs[todo.pop()]) - reached:
            reached.add(name)
            todo.append(name)
    return reached


def mutated_tree(source, mutant_id):
    """A fresh tree with exactly one mutant applied; KeyError if there is no such mutant."""
    tree = ast.parse(source)
    for m in generate(source, tree, describe=False, only=mutant_id.split(":", 1)[0]):
        if m.id == mutant_id:
            m.apply()
            return ast.fix_missing_locations(tree)
    raise KeyError(mutant_id)


def compile_mutant(source, mutant_id, filename=paths.TESTEE):
    """The code object of the mutated module. Raises SyntaxError/ValueError/TypeError if the
    mutant is not viable."""
    return compile(mutated_tree(source, mutant_id), filename, "exec")


# ---------------------------------------------------------------------------------------------

def _is_docstring(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _call_name(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def _is_message_call(node):
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Name) and f.id in MESSAGE_CALLS:
        return True
    # sys.stderr.write(...)
    return (isinstance(f, ast.Attribute) and f.attr == "write" and isinstance(f.value, ast.Attribute)
            and f.value.attr == "stderr")


def _is_message_statement(stmt):
    return isinstance(stmt, ast.Expr) and _is_message_call(stmt.value)


def _is_literal(node):
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is None or _is_literal(k) for k in node.keys) and all(_is_literal(v) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) and _is_literal(node.right)
    return False


def _is_constant_assignment(stmt):
    return isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and _is_literal(stmt.value)


def _is_sequence(node):
    """Whether the expression evidently is a bytes, str, list or tuple value."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    if isinstance(node, (ast.List, ast.Tuple, ast.ListComp, ast.JoinedStr)):
        return True
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id in SEQUENCE_CALLS
        if isinstance(node.func, ast.Attribute):
            return node.func.attr in SEQUENCE_METHODS
        return False
    if isinstance(node, ast.Name):
        return node.id in SEQUENCE_NAMES
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        return _is_sequence(node.left) or _is_sequence(node.right)
    return False


def _is_main_guard(stmt):
    return (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.left, ast.Name) and stmt.test.left.id == "__name__")


def _int_text(value, like):
    if like and like.lower().lstrip("-").startswith("0x"):
        return ("-" if value < 0 else "") + "0x%x" % abs(value)
    return str(value)


def _put(parent, fieldname, index, new):
    if index is None:
        setattr(parent, fieldname, new)
    else:
        getattr(parent, fieldname)[index] = new


def _remove(stmts, i):
    """Remove stmts[i]; an emptied block gets a `pass` so that the code stays valid."""
    old = stmts.pop(i)
    if not stmts:
        stmts.append(ast.copy_location(ast.Pass(), old))


class _Generator:
    def __init__(self, source, describe=True, serving=None, only=None):
        self.source = source
        self.serving = serving    # the definitions in scope (serving_definitions); None: all
        self.only_top = only.split(".")[0] if only else None   # the one top-level part to walk
        self.describe = describe
        self.lines = source.splitlines()
        self.comment_col = {}
        if describe:
            for tok in tokenize.generate_tokens(io.StringIO(source).readline):
                if tok.type == tokenize.COMMENT:
                    self.comment_col[tok.start[0]] = tok.start[1]
        self.mutants = []
        self.counts = {}
        self.scope = []           # qualified-name parts
        self.spans = []           # (first, last) lines of the enclosing definitions
        self.module_region = 1    # first line after the last top-level definition seen

    # -- bookkeeping

    def snippet(self, line):
        text = self.lines[line - 1]
        if line in self.comment_col:
            text = text[:self.comment_col[line]]
        text = " ".join(text.split())
        return text if len(text) <= 70 else text[:67] + "..."

    def add(self, operator, line, what, apply):
        fn = ".".join(self.scope) or "<module>"
        n = self.counts.get((fn, operator), 0) + 1
        self.counts[(fn, operator)] = n
        scope = self.spans[-1] if self.spans else (self.module_region, line, line)
        desc = 'line %d: %s in "%s"' % (line, what, self.snippet(line)) if self.describe else what
        self.mutants.append(Mutant("%s:%s:%d" % (fn, operator, n), fn, operator, line, desc, scope, apply))

    def segment(self, node):
        """The source text of a one-line node (ast offsets count UTF-8 bytes)."""
        if node.lineno != node.end_lineno:
            return None
        raw = self.lines[node.lineno - 1].encode("utf-8")
        return raw[node.col_offset:node.end_col_offset].decode("utf-8", "replace")

    def op_line(self, left, right):
        """The line of an operator written between two operands (continuation lines here start
        with the operator)."""
        if right.lineno > left.end_lineno and self.lines[right.lineno - 1][:right.col_offset].strip():
            return right.lineno
        return left.end_lineno

    # -- statements

    def module(self, tree):
        self.block(tree, "body", docstring=True)

    def block(self, owner, fieldname, docstring=False):
        stmts = getattr(owner, fieldname)
        for i, stmt in enumerate(list(stmts)):
            if docstring and i == 0 and _is_docstring(stmt):
                continue
            if not self.scope and self.only_top is not None and (
                    stmt.name != self.only_top if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    else self.only_top != "<module>"):
                continue
            if not self.scope and (_is_main_guard(stmt) or (
                    isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and (stmt.name in SKIPPED_DEFS or (self.serving is not None and stmt.name not in self.serving)))):
                if not self.scope:
                    self.module_region = stmt.end_lineno + 1
                continue
            self.statement_operators(stmts, i, stmt)
            if i + 1 < len(stmts):
                self.swap(stmts, i)
            self.statement(stmt)

    def statement_operators(self, stmts, i, stmt):
        # Dropped guards: an `if` that leaves the block (raise/return/continue/break).
        if (isinstance(stmt, ast.If) and not self.logging_only(stmt)
                and isinstance(stmt.body[-1], (ast.Raise, ast.Return, ast.Continue, ast.Break))):
            def never(s=stmt):
                s.test = ast.copy_location(ast.Constant(False), s.test)
            self.add("guard", stmt.lineno, "guard condition -> False", never)
            if not stmt.orelse:
                lines = stmt.end_lineno - stmt.lineno + 1
                self.add("drop-if", stmt.lineno, "'if' removed (%d line%s)" % (lines, "s" if lines > 1 else ""),
                         lambda s=stmts, k=i: _remove(s, k))
        # A call of the check helper removed.
        if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == CHECK_HELPER):
            self.add("drop-check", stmt.lineno, "'check(...)' call removed", lambda s=stmts, k=i: _remove(s, k))
        # Dropped raise (a bare re-raise is left alone).
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            self.add("drop-raise", stmt.lineno, "'raise' -> 'pass'",
                     lambda s=stmts, k=i, old=stmt: s.__setitem__(k, ast.copy_location(ast.Pass(), old)))

    def swap(self, stmts, i):
        a, b = stmts[i], stmts[i + 1]
        simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Delete)
        if not (isinstance(a, simple) and isinstance(b, simple)):
            return
        if _is_docstring(a) or _is_docstring(b) or _is_message_statement(a) or _is_message_statement(b):
            return
        if _is_constant_assignment(a) and _is_constant_assignment(b):
            return
        if ast.dump(a) == ast.dump(b):
            return

        def apply(s=stmts, k=i):
            s[k], s[k + 1] = s[k + 1], s[k]
        self.add("swap", a.lineno, "statements at lines %d and %d swapped" % (a.lineno, b.lineno), apply)

    def logging_only(self, stmt):
        return not stmt.orelse and all(_is_message_statement(s) for s in stmt.body)

    def statement(self, stmt):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.scope.append(stmt.name)
            first = min([stmt.lineno] + [d.lineno for d in stmt.decorator_list])
            # The head: the signature, its trailing comment, and the docstring.
            head_end = stmt.body[0].end_lineno if _is_docstring(stmt.body[0]) else stmt.body[0].lineno - 1
            self.spans.append((first, max(head_end, stmt.lineno), stmt.end_lineno))
            if not isinstance(stmt, ast.ClassDef):
                self.expr(stmt.args, stmt, "args", None)   # default values
            self.block(stmt, "body", docstring=True)
            self.spans.pop()
            self.scope.pop()
            if not self.scope:
                self.module_region = stmt.end_lineno + 1
            return
        if isinstance(stmt, ast.Assert):
            return
        if isinstance(stmt, ast.If) and self.logging_only(stmt):
            return
        if isinstance(stmt, ast.AugAssign) and type(stmt.op) in ARITHMETIC and not _is_sequence(stmt.value):
            new = ARITHMETIC[type(stmt.op)]
            self.add("arithmetic", stmt.lineno, "'%s=' -> '%s='" % (SYMBOL[type(stmt.op)], SYMBOL[new]),
                     lambda s=stmt, n=new: setattr(s, "op", n()))
        self.children(stmt)

    def children(self, node):
        for fieldname, value in ast.iter_fields(node):
            if isinstance(value, list):
                if value and all(isinstance(v, ast.stmt) for v in value):
                    self.block(node, fieldname)
                    continue
                for j, v in enumerate(value):
                    if isinstance(v, ast.excepthandler):
                        self.children(v)
                    elif isinstance(v, ast.AST):
                        self.expr(v, node, fieldname, j)
            elif isinstance(value, ast.AST):
                self.expr(value, node, fieldname, None)

    # -- expressions

    def expr(self, node, parent, fieldname, index):
        if _is_message_call(node) or isinstance(node, ast.JoinedStr):
            return
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                left = node.left if k == 0 else node.comparators[k - 1]
                line = self.op_line(left, node.comparators[k])
                for new in RELATIONAL.get(type(op), ()):
                    self.add("relational", line, "'%s' -> '%s'" % (SYMBOL[type(op)], SYMBOL[new]),
                             lambda n=node, k=k, new=new: n.ops.__setitem__(k, new()))
        elif isinstance(node, ast.BinOp):
            formatting = (isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
                          and isinstance(node.left.value, str))
            sequence = isinstance(node.op, (ast.Add, ast.Mult)) and (_is_sequence(node.left) or _is_sequence(node.right))
            if type(node.op) in ARITHMETIC and not formatting and not sequence:
                new = ARITHMETIC[type(node.op)]
                self.add("arithmetic", self.op_line(node.left, node.right),
                         "'%s' -> '%s'" % (SYMBOL[type(node.op)], SYMBOL[new]),
                         lambda n=node, new=new: setattr(n, "op", new()))
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            self.add("boolean", self.op_line(node.values[0], node.values[1]),
                     "'%s' -> '%s'" % (SYMBOL[type(node.op)], SYMBOL[new]),
                     lambda n=node, new=new: setattr(n, "op", new()))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.add("boolean", node.lineno, "'not' dropped",
                     lambda p=parent, f=fieldname, i=index, n=node: _put(p, f, i, n.operand))
        elif isinstance(node, ast.Constant):
            self.constant(node)
        elif isinstance(node, ast.Call):
            self.byte_order(node)
        self.children_of_expr(node)

    def children_of_expr(self, node):
        for fieldname, value in ast.iter_fields(node):
            if isinstance(value, list):
                for j, v in enumerate(value):
                    if isinstance(v, ast.AST):
                        self.expr(v, node, fieldname, j)
            elif isinstance(value, ast.AST):
                self.expr(value, node, fieldname, None)

    def constant(self, node):
        v = node.value
        if isinstance(v, bool):
            self.add("constant", node.lineno, "'%s' -> '%s'" % (v, not v),
                     lambda n=node: setattr(n, "value", not n.value))
        elif isinstance(v, int):
            text = self.segment(node) or str(v)
            for new in (v + 1, v - 1):
                self.add("constant", node.lineno, "'%s' -> '%s'" % (text, _int_text(new, text)),
                         lambda n=node, new=new: setattr(n, "value", new))

    def byte_order(self, call):
        name = _call_name(call)
        if name in ("from_bytes", "to_bytes"):
            args = list(call.args) + [k.value for k in call.keywords if k.arg == "byteorder"]
            for a in args:
                if isinstance(a, ast.Constant) and a.value in ("little", "big"):
                    new = "big" if a.value == "little" else "little"
                    self.add("byteorder", a.lineno, "'%s' -> '%s'" % (a.value, new),
                             lambda n=a, new=new: setattr(n, "value", new))
        elif (name in STRUCT_FUNCTIONS and isinstance(call.func, ast.Attribute)
              and isinstance(call.func.value, ast.Name) and call.func.value.id == "struct"
              and call.args and isinstance(call.args[0], ast.Constant)
              and isinstance(call.args[0].value, str) and call.args[0].value[:1] in ("<", ">")):
            a = call.args[0]
            new = {"<": ">", ">": "<"}[a.value[0]] + a.value[1:]
            self.add("byteorder", a.lineno, "'%s' -> '%s'" % (a.value, new),
                     lambda n=a, new=new: setattr(n, "value", new))
