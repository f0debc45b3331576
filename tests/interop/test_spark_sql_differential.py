"""Differential test of the Spark-SQL dialect layer (issue 10 §3): the same Spark SQL runs in
Spark (ANSI mode, Spark 4's default) and through `dls query --dialect spark`, over the same
deterministic data, and every value is compared as the spark-sql shell prints it.

Expressions come from
  * the function registry: every supported function (docs/spark-sql.md, generated from
    src/sql/spark/function_registry.cpp) with Spark's documented examples
    (shared/testdata/spark_sql/functions.json), each example varied by putting columns of the test
    data and edge-case literals in place of its first argument;
  * hand-picked edge cases: CAST truncation, rounding modes, overflow, invalid dates, NaN, empty
    strings, unicode, very large decimals.

An outcome is accepted when both engines give the same strings, both fail at run time, or dls
refuses the expression with its clear "not supported by the local engine" error. A different
value, or a dls value where Spark fails, is a bug — unless it is listed in docs/spark-sql.md
("Known differences from Spark"), which this test keeps honest: a listed expression that no
longer differs fails the test too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sql_oracle_support import (
    REPO,
    Failure,
    SparkAnalysisError,
    dls_rows,
    spark_rows,
    spark_session,
)

FUNCTIONS_JSON = Path("/work/shared/testdata/spark_sql/functions.json")
for candidate in (
    REPO / "shared" / "testdata" / "spark_sql" / "functions.json",
    REPO.parent / "shared" / "testdata" / "spark_sql" / "functions.json",
):
    if candidate.exists():
        FUNCTIONS_JSON = candidate
        break

# The test data: one row per edge case, every column typed by its CAST. Row 6 is all NULL.
COLUMNS = ["i", "l", "d", "dec", "s", "dt", "ts", "b"]
TYPES = ["INT", "BIGINT", "DOUBLE", "DECIMAL(20,4)", "STRING", "DATE", "TIMESTAMP", "BOOLEAN"]
ROWS = [
    ["0", "0", "0.0", "0", "''", "'1970-01-01'", "'1970-01-01 00:00:00'", "false"],
    ["7", "9223372036854775807", "3.7", "3.75", "'abc'", "'2024-02-29'",
     "'2024-02-29 12:34:56.789'", "true"],
    ["-7", "-5", "-2.5", "-2.5", "'héllo wörld'", "'2000-12-31'",
     "'1999-12-31 23:59:59.999999'", "true"],
    ["2147483647", "2147483648", "'NaN'", "1234567890123456.7891", "'日本語テキスト'",
     "'9999-12-31'", "'2038-01-19 03:14:07'", "false"],
    ["-2147483648", "-9223372036854775808", "1e300", "-0.005", "' 42 '", "'1900-03-01'",
     "'1900-03-01 00:00:00.5'", "NULL"],
    ["NULL"] * 8,
    ["1", "1", "0.5", "0.5", "'3.7'", "'2023-01-01'", "'2023-01-01 01:02:03'", "true"],
    ["2", "-1", "-0.5", "-0.5", "'NaN'", "'2020-02-29'", "'2020-02-29 23:59:59'", "false"],
    ["-1", "42", "'Infinity'", "99999999999999.9999", "'A,b;C-d_e'", "'2024-12-31'",
     "'2024-12-31 00:00:00.000001'", "true"],
    ["100", "1000000", "1.5", "1.5", "'Ab Cd'", "'2024-01-01'", "'2024-01-01 12:00:00'", "false"],
]


def data_sql() -> str:
    """The data as a query dls runs: a UNION ALL of one-row SELECTs."""
    parts = []
    for rid, row in enumerate(ROWS, start=1):
        cells = [f"{rid} AS rid"]
        for name, type_, value in zip(COLUMNS, TYPES, row):
            cells.append(f"CAST({value} AS {type_}) AS {name}")
        parts.append("SELECT " + ", ".join(cells))
    return " UNION ALL ".join(parts)


def data_values_sql() -> str:
    """The same data for Spark as an inline table, which Spark evaluates on the driver (no job)."""
    rows = []
    for rid, row in enumerate(ROWS, start=1):
        cells = [str(rid)] + [f"CAST({v} AS {t})" for v, t in zip(row, TYPES)]
        rows.append("(" + ", ".join(cells) + ")")
    return "VALUES " + ", ".join(rows) + " AS t(rid, " + ", ".join(COLUMNS) + ")"


# Edge-case literals by kind, put in place of an example's first argument.
LITERALS = {
    "number": ["3.7", "-2.5D", "2147483647", "CAST('NaN' AS DOUBLE)",
               "123456789012345678901234567.123456789"],
    "string": ["''", "'héllo wörld'", "'  padded  '"],
    "date": ["DATE'2024-02-29'", "DATE'1900-01-01'"],
}
COLUMNS_BY_KIND = {"number": ["i", "l", "d", "dec"], "string": ["s"], "date": ["dt", "ts"]}

HAND_PICKED = [
    # CAST truncation (Spark truncates toward zero; a STRING must be an integer in ANSI mode).
    "CAST(3.7 AS INT)", "CAST(-3.7 AS INT)", "CAST(2.5 AS INT)", "CAST(-2.5 AS BIGINT)",
    "CAST(3.7D AS INT)", "CAST(-3.7D AS SMALLINT)", "CAST(0.999999D AS TINYINT)",
    "CAST(1.5F AS INT)", "CAST(99999999999999999999.99 AS BIGINT)", "CAST(2147483647.9 AS INT)",
    "CAST(2147483648.1 AS INT)", "CAST(-2147483648.9 AS INT)", "CAST(1e10 AS INT)",
    "CAST('3.7' AS INT)", "CAST(' 42 ' AS INT)", "CAST('+5' AS INT)", "CAST('1e3' AS INT)",
    "CAST('' AS INT)", "CAST('abc' AS INT)", "TRY_CAST('3.7' AS INT)", "TRY_CAST(3.7 AS INT)",
    "TRY_CAST(1e10 AS INT)", "CAST(CAST('NaN' AS DOUBLE) AS INT)", "int(3.7)", "bigint(-3.7D)",
    "CAST(3.75 AS DECIMAL(2,1))", "CAST(-3.75 AS DECIMAL(2,1))", "CAST(3.7D AS DECIMAL(5,0))",
    "CAST(123.456 AS DECIMAL(2,0))", "CAST('12.345' AS DECIMAL(4,2))",
    "CAST(true AS INT)", "CAST(1 AS BOOLEAN)", "CAST('yes' AS BOOLEAN)", "CAST('maybe' AS BOOLEAN)",
    "CAST(12345678901234567890 AS STRING)", "CAST(-0.0D AS STRING)",
    # Rounding modes.
    "round(2.5)", "round(-2.5)", "round(3.5)", "round(2.5D)", "round(-2.5D)", "round(0.125, 2)",
    "round(1.005D, 2)", "round(12345, -2)", "round(-1.5D)", "bround(2.5)", "bround(3.5)",
    "bround(-2.5D)", "bround(0.125, 2)", "ceil(-0.5)", "floor(-0.5)", "ceil(2.1D)", "floor(-2.1D)",
    # Overflow (ANSI: an error; try_*: NULL).
    "2147483647 + 1", "-2147483648 - 1", "2147483647 * 2", "9223372036854775807L + 1",
    "try_add(2147483647, 1)", "try_multiply(9223372036854775807L, 2)", "abs(-2147483648)",
    "-(-2147483648)", "5 / 0", "5 div 0", "5 % 0", "try_divide(5, 0)", "pmod(-7, 3)", "-7 % 3",
    "CAST(128 AS TINYINT)", "CAST(-129 AS TINYINT)", "CAST(32768 AS SMALLINT)",
    # Invalid dates.
    "DATE'2024-02-29' + 1", "to_date('2024-02-30')", "to_date('2023-02-29')",
    "try_to_date('2024-13-01')", "CAST('2024-02-30' AS DATE)", "make_date(2023, 2, 29)",
    "date_add(DATE'2024-02-28', 1)", "add_months(DATE'2024-01-31', 1)",
    "last_day(DATE'2024-02-10')", "datediff(DATE'2024-03-01', DATE'2024-02-28')",
    "to_timestamp('2024-02-29 25:00:00')", "CAST('2024-02-29T10:11:12' AS TIMESTAMP)",
    # NaN and infinities.
    "CAST('NaN' AS DOUBLE)", "CAST('nan' AS DOUBLE)", "CAST('Infinity' AS DOUBLE)",
    "CAST('-inf' AS DOUBLE)", "isnan(CAST('NaN' AS DOUBLE))", "CAST('NaN' AS DOUBLE) = CAST('NaN' AS DOUBLE)",
    "nanvl(CAST('NaN' AS DOUBLE), 1.0D)", "greatest(1.0D, CAST('NaN' AS DOUBLE))",
    "sqrt(-1.0D)", "ln(0.0D)", "1.0D / 0.0D", "0.0D / 0.0D", "log(-1.0D)",
    # Empty strings.
    "length('')", "'' = ' '", "concat('', NULL)", "concat_ws(',', '', NULL, 'a')",
    "split('', ',')", "upper('')", "substring('', 1, 2)", "nullif('', '')", "coalesce('', 'x')",
    "trim('   ')", "lpad('', 3, 'x')", "repeat('', 5)", "instr('', '')", "locate('', 'abc')",
    # Unicode.
    "length('héllo')", "upper('straße')", "lower('ÀÉÎ')", "reverse('日本語')",
    "substring('日本語テキスト', 2, 3)", "octet_length('é')", "initcap('élan vital')",
    "lpad('日本', 5, '*')", "ascii('é')", "left('😀abc', 2)", "length('😀')", "'ä' < 'b'",
    "translate('héllo', 'é', 'e')", "replace('ñandú', 'ñ', 'n')",
    # Very large decimals.
    "12345678901234567890123456789.123456789 + 1",
    "CAST('99999999999999999999999999999999999999' AS DECIMAL(38,0))",
    "CAST(99999999999999999999999999999999999999 AS DECIMAL(38,0)) + 1",
    "0.1 + 0.2", "1.10 * 2.205", "CAST(1.23456789 AS DECIMAL(10,3))",
    "-12345678901234567890.12345 * 2", "abs(-99999999999999999999.99)",
    # Formatting.
    "format_string('%05d|%.3f|%s', 42, 3.14159D, 'x')", "date_format(TIMESTAMP'2024-02-29 13:05:09', 'yyyy-MM-dd HH:mm:ss EEE a')",
    "date_format(DATE'2024-07-04', 'dd/MM/yy')", "to_char(12454.8, '99,999.9')",
    "CAST(1.0E10 AS STRING)", "CAST(DATE'2024-02-29' AS STRING)",
    "CAST(TIMESTAMP'2024-02-29 01:02:03.450' AS STRING)", "CAST(1.50 AS STRING)",
    "hex(255)", "conv('ff', 16, 10)", "format_number(1234567.891, 2)",
    # NULL behaviour.
    "NULL + 1", "NULL = NULL", "NULL <=> NULL", "true AND NULL", "false AND NULL",
    "true OR NULL", "concat('a', NULL)", "size(NULL)", "coalesce(NULL, NULL, 3)",
    "nvl2(NULL, 1, 2)", "CASE WHEN NULL THEN 1 ELSE 2 END", "NULL IN (1, 2)", "1 IN (NULL, 1)",
    "2 IN (NULL, 1)", "array_contains(array(1, NULL), 2)",
]


def load_examples():
    with open(FUNCTIONS_JSON) as f:
        return json.load(f)["examples"]


def supported_functions() -> set[str]:
    text = (REPO / "docs" / "spark-sql.md").read_text()
    block = text.split("<!-- functions:begin -->")[1].split("<!-- functions:end -->")[0]
    return set(re.findall(r"^\| `([a-z_0-9]+)` \|", block, re.M))


def known_differences() -> dict[str, str]:
    text = (REPO / "docs" / "spark-sql.md").read_text()
    if "<!-- differences:begin -->" not in text:
        return {}
    block = text.split("<!-- differences:begin -->")[1].split("<!-- differences:end -->")[0]
    out = {}
    for m in re.finditer(r"^\| `(.+?)` \| (.*?) \|$", block, re.M):
        out[m.group(1).replace("\\|", "|")] = m.group(2)
    return out


_LITERAL = re.compile(
    r"""\s*(?:(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?P<date>(?:DATE|TIMESTAMP)\s*'[^']*')|"""
    r"""(?P<number>-?\d+(?:\.\d+)?(?:[eE]-?\d+)?[LDSYF]?|-?\.\d+))\s*(?=[,)])""",
    re.I,
)


def first_argument(sql: str, function: str):
    """(start, end, kind) of the first argument of `function(` in `sql` when it is a literal."""
    m = re.search(r"\b" + re.escape(function) + r"\s*\(", sql, re.I)
    if not m:
        return None
    lit = _LITERAL.match(sql, m.end())
    if not lit:
        return None
    kind = "string" if lit.group("string") else "date" if lit.group("date") else "number"
    start = m.end() + (len(lit.group(0)) - len(lit.group(0).lstrip()))
    end = start + len(lit.group(0).strip())
    return start, end, kind


def expression_of(example_sql: str) -> str | None:
    s = example_sql.strip().rstrip(";").strip()
    if not s.upper().startswith("SELECT ") or " FROM " in s.upper() or "\n" in s:
        return None
    return s[len("SELECT "):]


def generated_expressions():
    """(expression, uses_data) pairs generated from the registry's functions and their examples."""
    supported = supported_functions()
    out = []
    seen = set()
    for ex in load_examples():
        fn = ex["function"]
        if fn not in supported or fn in ("uuid", "current_date", "current_timestamp", "now",
                                         "curdate", "localtimestamp", "current_timezone"):
            continue
        e = expression_of(ex["sql"])
        if e is None or ("," in e and e.count("(") == 0):
            continue
        if e not in seen:
            seen.add(e)
            out.append((e, False))
        arg = first_argument(e, fn)
        if not arg:
            continue
        start, end, kind = arg
        for lit in LITERALS[kind]:
            v = e[:start] + lit + e[end:]
            if v not in seen:
                seen.add(v)
                out.append((v, False))
        for c in COLUMNS_BY_KIND[kind]:
            v = e[:start] + c + e[end:]
            if v not in seen:
                seen.add(v)
                out.append((v, True))
    return out


def split_select_list(expressions: list[str]) -> list[list[str]]:
    return [expressions[i:i + 40] for i in range(0, len(expressions), 40)]


class Oracle:
    """Runs expressions in both engines, many per query; after a failure, one at a time."""

    def __init__(self, spark, warehouse: Path):
        self.spark = spark
        self.warehouse = warehouse

    @staticmethod
    def _query(exprs: list[str], uses_data: bool, spark: bool) -> str:
        items = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
        if uses_data:
            data = data_values_sql() if spark else f"({data_sql()}) AS t"
            return f"SELECT rid, {items} FROM {data} ORDER BY rid"
        # Spark folds a projection of an inline table on the driver, without a job.
        return f"SELECT {items} FROM VALUES (1) AS one(x)" if spark else f"SELECT {items}"

    @staticmethod
    def _columns(rows, n: int, offset: int):
        """Per-expression columns of a result, or None when the query failed or is malformed."""
        if rows and isinstance(rows[0], Failure):
            return None
        if any(len(row) != offset + n for row in rows):
            return None
        return [[row[offset + i] for row in rows] for i in range(n)]

    def spark_values(self, exprs, uses_data):
        """One entry per expression: a list of strings (one per row), a Failure, or None when
        Spark rejects the expression at analysis (not a comparison case)."""
        offset = 1 if uses_data else 0
        try:
            rows = spark_rows(self.spark, self._query(exprs, uses_data, True))
            cols = self._columns(rows, len(exprs), offset)
            if cols is not None:
                return cols
            if len(exprs) == 1:
                return [rows[0]]
        except SparkAnalysisError:
            if len(exprs) == 1:
                return [None]
        return [v for e in exprs for v in self.spark_values([e], uses_data)]

    def dls_values(self, exprs, uses_data):
        offset = 1 if uses_data else 0
        rows = dls_rows(self._query(exprs, uses_data, False), self.warehouse)
        cols = self._columns(rows, len(exprs), offset)
        if cols is not None:
            return cols
        if len(exprs) == 1:
            return [rows[0] if rows and isinstance(rows[0], Failure) else Failure(str(rows)[:200])]
        return [v for e in exprs for v in self.dls_values([e], uses_data)]


def classify(spark_value, dls_value):
    """'same', 'refused' (a clear dls error), or a description of the difference."""
    if isinstance(spark_value, Failure) and isinstance(dls_value, Failure):
        return "same"
    if isinstance(dls_value, Failure):
        if "not supported by the local engine" in dls_value.message:
            return "refused"
        return f"dls fails ({dls_value.message}) where Spark gives {spark_value}"
    if isinstance(spark_value, Failure):
        return f"dls gives {dls_value} where Spark fails"
    if spark_value == dls_value:
        return "same"
    return f"dls gives {dls_value}, Spark {spark_value}"


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    spark = spark_session("dls-sql-oracle")
    yield Oracle(spark, tmp_path_factory.mktemp("warehouse"))
    spark.stop()


def compare(oracle: Oracle, cases: list[tuple[str, bool]]):
    """{expression: difference} for every case that differs, and counts per outcome."""
    differences = {}
    counts = {"same": 0, "refused": 0, "invalid in Spark": 0, "different": 0}
    for uses_data in (False, True):
        exprs = [e for e, d in cases if d == uses_data]
        for batch in split_select_list(exprs):
            sv = oracle.spark_values(batch, uses_data)
            valid = [(e, v) for e, v in zip(batch, sv) if v is not None]
            counts["invalid in Spark"] += len(batch) - len(valid)
            if not valid:
                continue
            dv = oracle.dls_values([e for e, _ in valid], uses_data)
            for (e, s), d in zip(valid, dv):
                outcome = classify(s, d)
                if outcome in ("same", "refused"):
                    counts[outcome] += 1
                else:
                    counts["different"] += 1
                    differences[e] = outcome
    return differences, counts


def check(differences: dict[str, str], cases):
    known = known_differences()
    names = {e for e, _ in cases}
    unexpected = {e: d for e, d in differences.items() if e not in known}
    fixed = [e for e in known if e in names and e not in differences]
    message = ""
    if unexpected:
        message += "dls differs from Spark (fix it, make it a clear error, or list it in " \
                   "docs/spark-sql.md 'Known differences'):\n" + "\n".join(
                       f"  {e}: {d}" for e, d in sorted(unexpected.items()))
    if fixed:
        message += "\nlisted in docs/spark-sql.md as different but now the same:\n" + \
                   "\n".join(f"  {e}" for e in fixed)
    assert not message, message


def test_intro_cast_truncates_toward_zero_as_spark(oracle):
    """The issue's example, checked against Spark itself (and its literal answer)."""
    sql = "SELECT cast(3.7 AS INT), cast(-3.7 AS INT), cast(2.5 AS INT)"
    assert spark_rows(oracle.spark, sql) == [["3", "-3", "2"]]
    assert dls_rows(sql, oracle.warehouse) == [["3", "-3", "2"]]


def test_hand_picked_edge_cases_agree_with_spark(oracle):
    cases = [(e, False) for e in HAND_PICKED]
    differences, counts = compare(oracle, cases)
    print("hand-picked:", counts)
    check(differences, cases)


def test_registry_functions_agree_with_spark(oracle):
    cases = generated_expressions()
    assert len(cases) > 500, "the generator lost its input"
    differences, counts = compare(oracle, cases)
    print("generated:", counts)
    check(differences, cases)
