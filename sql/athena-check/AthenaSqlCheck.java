import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.BetweenPredicate;
import io.trino.sql.tree.Cast;
import io.trino.sql.tree.ComparisonExpression;
import io.trino.sql.tree.CurrentDate;
import io.trino.sql.tree.DereferenceExpression;
import io.trino.sql.tree.Expression;
import io.trino.sql.tree.FunctionCall;
import io.trino.sql.tree.GenericDataType;
import io.trino.sql.tree.GenericLiteral;
import io.trino.sql.tree.GroupBy;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.InListExpression;
import io.trino.sql.tree.InPredicate;
import io.trino.sql.tree.Node;
import io.trino.sql.tree.NodeLocation;
import io.trino.sql.tree.Query;
import io.trino.sql.tree.QuerySpecification;
import io.trino.sql.tree.SingleColumn;
import io.trino.sql.tree.Statement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks Athena named queries with the SQL parser of Trino, the engine Athena engine version 3 runs.
 *
 * <pre>
 *   java -cp CLASSES:LIB/* AthenaSqlCheck --functions FILE [--string-columns a,b] QUERY.sql...
 * </pre>
 *
 * <p>The local twin and the tests run these files on DuckDB, which accepts SQL that Athena rejects.
 * Each file must (1) hold none of the DuckDB-only constructs below, (2) parse as one Trino
 * statement, (3) call only functions on the allow-list, and (4) never compare a column the Glue
 * crawler types as a string (Hive-style partition columns such as {@code txn_date}) with a DATE:
 * Trino does not coerce varchar to date, so such a filter fails in Athena although DuckDB runs it;
 * and (5) not use a SELECT alias in WHERE, GROUP BY or HAVING, which DuckDB resolves and Trino does
 * not (it resolves them against the FROM columns only).
 * Every finding is printed as {@code file:line:column: what. Fix: how}; the exit code is 1 when
 * there is one, 2 on bad usage.
 */
public final class AthenaSqlCheck {
    /** A DuckDB-only construct found in the text, before parsing: Trino's parse error alone would not name it. */
    private record DuckDbIsm(Pattern pattern, String what, String fix) {}

    private record Finding(Path file, int line, int column, String what, String fix) {
        String render() {
            return "%s:%d:%d: %s. Fix: %s".formatted(file, line, column, what, fix);
        }
    }

    private static final List<DuckDbIsm> DUCKDB_ISMS = List.of(
            new DuckDbIsm(Pattern.compile("::"), "'::' cast is DuckDB/PostgreSQL syntax", "write CAST(x AS type)"),
            new DuckDbIsm(
                    Pattern.compile("(?i)\\bILIKE\\b"),
                    "ILIKE does not exist in Trino",
                    "write LOWER(x) LIKE LOWER(pattern)"),
            new DuckDbIsm(
                    Pattern.compile("(?i)\\bQUALIFY\\b"),
                    "QUALIFY does not exist in Trino",
                    "compute the window function in a subquery and filter on it in the outer WHERE"),
            new DuckDbIsm(
                    Pattern.compile("(?i)\\b(UN)?PIVOT\\b"),
                    "PIVOT/UNPIVOT do not exist in Trino",
                    "use conditional aggregation (SUM(CASE WHEN ... END)) or CROSS JOIN UNNEST"),
            new DuckDbIsm(
                    Pattern.compile("(?i)\\bEXCLUDE\\s*\\("),
                    "SELECT * EXCLUDE (...) does not exist in Trino",
                    "list the columns you want"),
            new DuckDbIsm(Pattern.compile("=="), "'==' is not a Trino operator", "write ="),
            new DuckDbIsm(
                    Pattern.compile("//"),
                    "'//' integer division is DuckDB syntax",
                    "write a / b (Trino divides integers as integers) or floor(a / b) for decimals"));

    /** DuckDB (or other dialects') functions people reach for, with the Athena v3 equivalent. */
    private static final Map<String, String> REPLACEMENTS = Map.ofEntries(
            Map.entry("strftime", "date_format(ts, '%Y-%m-%d') (MySQL-style format) or format_datetime(ts, 'yyyy-MM-dd')"),
            Map.entry("strptime", "date_parse(s, '%Y-%m-%d %H:%i:%s') or parse_datetime(s, pattern)"),
            Map.entry("list_agg", "array_agg(x)"),
            Map.entry("list", "array_agg(x)"),
            Map.entry("string_agg", "listagg(x, ',') WITHIN GROUP (ORDER BY x) or array_join(array_agg(x), ',')"),
            Map.entry("group_concat", "listagg(x, ',') WITHIN GROUP (ORDER BY x)"),
            Map.entry("datediff", "date_diff('day', start, end)"),
            Map.entry("datepart", "extract(field FROM ts) or year(ts), month(ts), ..."),
            Map.entry("date_part", "extract(field FROM ts) or year(ts), month(ts), ..."),
            Map.entry("epoch", "to_unixtime(ts)"),
            Map.entry("epoch_ms", "from_unixtime(ms / 1000.0) or to_unixtime(ts) * 1000"),
            Map.entry("make_date", "date(format('%04d-%02d-%02d', y, m, d)) or date_add('day', ...)"),
            Map.entry("today", "current_date"),
            Map.entry("ifnull", "coalesce(x, y)"),
            Map.entry("nvl", "coalesce(x, y)"),
            Map.entry("len", "length(s) or cardinality(array)"),
            Map.entry("array_length", "cardinality(array)"),
            Map.entry("list_contains", "contains(array, x)"),
            Map.entry("list_value", "ARRAY[a, b]"),
            Map.entry("string_split", "split(s, delimiter)"),
            Map.entry("regexp_matches", "regexp_like(s, pattern)"),
            Map.entry("median", "approx_percentile(x, 0.5)"),
            Map.entry("arg_max", "max_by(x, key)"),
            Map.entry("arg_min", "min_by(x, key)"),
            Map.entry("first", "arbitrary(x) or min_by(x, key)"),
            Map.entry("struct_pack", "CAST(ROW(a, b) AS ROW(a type, b type))"),
            Map.entry("unnest", "CROSS JOIN UNNEST(array) AS t(x) in the FROM clause"));

    /** Functions that return a DATE: comparing one with a string-typed column fails in Trino. */
    private static final Set<String> DATE_FUNCTIONS =
            Set.of("date", "current_date", "from_iso8601_date", "date_trunc", "date_add", "last_day_of_month");

    private static final String ALLOW_LIST_FIX =
            "use a function of Athena engine version 3 (Trino functions and operators); if it is one,"
                    + " add its name to %s";

    private final Set<String> allowedFunctions;
    private final Path allowListFile;
    private final Set<String> stringColumns;
    private final SqlParser parser = new SqlParser();

    private AthenaSqlCheck(Set<String> allowedFunctions, Path allowListFile, Set<String> stringColumns) {
        this.allowedFunctions = allowedFunctions;
        this.allowListFile = allowListFile;
        this.stringColumns = stringColumns;
    }

    public static void main(String[] args) throws IOException {
        Path allowList = null;
        Set<String> stringColumns = Set.of();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--functions" -> allowList = Path.of(valueAfter(args, i++));
                case "--string-columns" -> stringColumns = Set.of(valueAfter(args, i++).toLowerCase(Locale.ROOT).split(","));
                default -> files.add(Path.of(args[i]));
            }
        }
        if (allowList == null || files.isEmpty()) {
            usage("give --functions FILE and at least one .sql file");
        }
        if (!Files.isRegularFile(allowList)) {
            usage("the function allow-list " + allowList + " is not a file");
        }
        AthenaSqlCheck check = new AthenaSqlCheck(readAllowList(allowList), allowList, stringColumns);
        List<Finding> findings = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                usage(file + " is not a file");
            }
            findings.addAll(check.check(file, Files.readString(file, StandardCharsets.UTF_8)));
        }
        findings.forEach(finding -> System.out.println(finding.render()));
        if (!findings.isEmpty()) {
            System.out.printf("athena-check: %d finding(s) in %d file(s): Athena engine v3 would reject them%n",
                    findings.size(), findings.stream().map(Finding::file).distinct().count());
            System.exit(1);
        }
        System.out.printf("athena-check: %d file(s) parse as Trino SQL and use only allowed functions%n", files.size());
    }

    private static String valueAfter(String[] args, int i) {
        if (i + 1 >= args.length) {
            usage(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static void usage(String problem) {
        System.err.println("athena-check: " + problem
                + "\nusage: AthenaSqlCheck --functions FILE [--string-columns a,b] QUERY.sql...");
        System.exit(2);
    }

    /** One function name per line; '#' starts a comment. */
    private static Set<String> readAllowList(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String name = line.replaceFirst("#.*", "").trim().toLowerCase(Locale.ROOT);
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            usage(file + " lists no function names");
        }
        return names;
    }

    List<Finding> check(Path file, String sql) {
        List<Finding> findings = new ArrayList<>(duckDbIsms(file, sql));
        Statement statement;
        try {
            statement = parser.createStatement(sql);
        } catch (ParsingException e) {
            if (findings.isEmpty()) {
                findings.add(new Finding(file, e.getLineNumber(), e.getColumnNumber(),
                        "Trino's parser rejects this: " + e.getErrorMessage(),
                        "write it in Trino SQL (one statement, no ';'; Athena engine version 3)"));
            }
            return findings;
        }
        walk(file, statement, findings);
        findings.sort(Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        return findings;
    }

    private void walk(Path file, Node node, List<Finding> findings) {
        switch (node) {
            case FunctionCall call -> checkFunction(file, call, findings);
            case ComparisonExpression comparison ->
                    checkStringColumnAgainstDate(file, comparison, List.of(comparison.getLeft(), comparison.getRight()), findings);
            case BetweenPredicate between ->
                    checkStringColumnAgainstDate(file, between, List.of(between.getValue(), between.getMin(), between.getMax()), findings);
            case QuerySpecification query -> checkAliasReferences(file, query, findings);
            case InPredicate in when in.getValueList() instanceof InListExpression list -> {
                List<Expression> operands = new ArrayList<>(list.getValues());
                operands.add(in.getValue());
                checkStringColumnAgainstDate(file, in, operands, findings);
            }
            default -> {}
        }
        for (Node child : node.getChildren()) {
            walk(file, child, findings);
        }
    }

    private void checkFunction(Path file, FunctionCall call, List<Finding> findings) {
        String name = call.getName().getOriginalParts().stream()
                .map(Identifier::getValue)
                .collect(Collectors.joining("."))
                .toLowerCase(Locale.ROOT);
        if (allowedFunctions.contains(name)) {
            return;
        }
        String replacement = REPLACEMENTS.get(name);
        findings.add(at(file, call,
                "function " + name + "() is not on the Athena engine v3 allow-list"
                        + (replacement == null ? "" : " (it is DuckDB's or another dialect's)"),
                replacement == null ? ALLOW_LIST_FIX.formatted(allowListFile) : "write " + replacement));
    }

    private void checkStringColumnAgainstDate(Path file, Node predicate, List<Expression> operands, List<Finding> findings) {
        String column = operands.stream().map(this::stringColumnName).filter(n -> n != null).findFirst().orElse(null);
        if (column == null || operands.stream().noneMatch(AthenaSqlCheck::isDate)) {
            return;
        }
        findings.add(at(file, predicate,
                "compares " + column + " (a string: the Glue crawler types Hive partition columns as string) with a DATE;"
                        + " Athena fails with a type mismatch",
                "compare with a string literal such as '2024-01-05' (ISO dates sort as text), or write CAST("
                        + column + " AS DATE)"));
    }

    /**
     * SELECT aliases used in WHERE, GROUP BY or HAVING of the same query. Without the table's schema
     * an alias that is also a column name is ambiguous, so only aliases no SELECT expression reads as
     * a column are reported: {@code COALESCE(card_type, 'unknown') AS card_type ... GROUP BY
     * COALESCE(card_type, 'unknown')} is fine, {@code COUNT(*) AS n ... HAVING n > 1} is not.
     */
    private void checkAliasReferences(Path file, QuerySpecification query, List<Finding> findings) {
        Set<String> aliases = new TreeSet<>();
        Set<String> columnsRead = new TreeSet<>();
        for (var item : query.getSelect().getSelectItems()) {
            if (item instanceof SingleColumn column) {
                column.getAlias().ifPresent(alias -> aliases.add(alias.getCanonicalValue()));
                collectIdentifiers(column.getExpression(), columnsRead);
            }
        }
        Set<String> computedAliases = new TreeSet<>(aliases);
        computedAliases.removeAll(columnsRead);
        if (computedAliases.isEmpty()) {
            return;
        }
        List<Node> clauses = new ArrayList<>();
        query.getWhere().ifPresent(clauses::add);
        query.getGroupBy().map(GroupBy::getGroupingElements).ifPresent(clauses::addAll);
        query.getHaving().ifPresent(clauses::add);
        for (Node clause : clauses) {
            collectAliasReferences(file, clause, computedAliases, findings);
        }
    }

    private static void collectIdentifiers(Node node, Set<String> names) {
        if (node instanceof Query) {
            return;
        }
        if (node instanceof Identifier id) {
            names.add(id.getCanonicalValue());
        }
        for (Node child : node.getChildren()) {
            collectIdentifiers(child, names);
        }
    }

    private static void collectAliasReferences(Path file, Node node, Set<String> aliases, List<Finding> findings) {
        if (node instanceof Query) {
            return; // a subquery has its own SELECT list and is checked on its own
        }
        if (node instanceof Identifier id && aliases.contains(id.getCanonicalValue())) {
            findings.add(at(file, id,
                    "refers to the SELECT alias " + id.getValue() + " in WHERE, GROUP BY or HAVING: DuckDB resolves"
                            + " it, Trino resolves these clauses against the FROM columns only (\"Column cannot be"
                            + " resolved\", or the table's own column of that name)",
                    "repeat the expression (in GROUP BY its ordinal also works), or give the alias a name no column has"));
            return;
        }
        for (Node child : node.getChildren()) {
            collectAliasReferences(file, child, aliases, findings);
        }
    }

    /** The name of a bare string-typed column (t.col or col), or null. */
    private String stringColumnName(Expression expression) {
        Identifier identifier = switch (expression) {
            case Identifier id -> id;
            case DereferenceExpression deref -> deref.getField().orElse(null);
            default -> null;
        };
        if (identifier == null) {
            return null;
        }
        String name = identifier.getValue().toLowerCase(Locale.ROOT);
        return stringColumns.contains(name) ? name : null;
    }

    private static boolean isDate(Expression expression) {
        return switch (expression) {
            case GenericLiteral literal -> literal.getType().equalsIgnoreCase("date");
            case CurrentDate ignored -> true;
            case Cast cast -> cast.getType() instanceof GenericDataType type
                    && type.getName().getValue().equalsIgnoreCase("date");
            case FunctionCall call -> DATE_FUNCTIONS.contains(call.getName().getSuffix().toLowerCase(Locale.ROOT));
            default -> false;
        };
    }

    private static Finding at(Path file, Node node, String what, String fix) {
        NodeLocation location = node.getLocation().orElse(new NodeLocation(1, 1));
        return new Finding(file, location.getLineNumber(), location.getColumnNumber(), what, fix);
    }

    /** DuckDB-only constructs in the code, that is outside string literals, quoted identifiers and comments. */
    private static List<Finding> duckDbIsms(Path file, String sql) {
        String code = blankOutNonCode(sql);
        List<Finding> findings = new ArrayList<>();
        for (DuckDbIsm ism : DUCKDB_ISMS) {
            Matcher matcher = ism.pattern().matcher(code);
            while (matcher.find()) {
                int[] lineAndColumn = lineAndColumn(code, matcher.start());
                findings.add(new Finding(file, lineAndColumn[0], lineAndColumn[1], ism.what(), ism.fix()));
            }
        }
        findings.sort(Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        return findings;
    }

    /** The text with string literals, quoted identifiers and comments replaced by spaces (newlines kept). */
    static String blankOutNonCode(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            int end;
            if (c == '\'' || c == '"') {
                end = i + 1;
                while (end < sql.length()) {
                    if (sql.charAt(end) == c) {
                        if (end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                            end += 2; // doubled quote: an escaped quote inside
                            continue;
                        }
                        end++;
                        break;
                    }
                    end++;
                }
            } else if (sql.startsWith("--", i)) {
                end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() : end;
            } else if (sql.startsWith("/*", i)) {
                end = sql.indexOf("*/", i + 2);
                end = end < 0 ? sql.length() : end + 2;
            } else {
                out.append(c);
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(sql.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }

    private static int[] lineAndColumn(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int k = 0; k < offset; k++) {
            if (text.charAt(k) == '\n') {
                line++;
                lineStart = k + 1;
            }
        }
        return new int[] {line, offset - lineStart + 1};
    }
}
