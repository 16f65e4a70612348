package io.tracebee.span;

import java.util.Locale;
import java.util.Set;

/**
 * What a span needs from a SQL statement (semantic conventions 1.37): the operation, the collection
 * (table) it targets when a simple parse finds one, and the text with literals replaced by {@code ?}
 * so values never leave the process in {@code db.query.text}.
 *
 * @param operation e.g. "SELECT", or "" when the statement does not start with a known keyword
 * @param collection e.g. "books", or "" when not found
 */
public record SqlSummary(String operation, String collection) {
    private static final Set<String> OPERATIONS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT",
            "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE", "BEGIN", "COMMIT", "ROLLBACK", "WITH", "CALL", "EXPLAIN",
            "SET", "SHOW", "PRAGMA", "VACUUM");

    /** The span name the issue asks for: "{operation} {collection}", else the operation, else "DB". */
    public String spanName() {
        if (operation.isEmpty()) {
            return "DB";
        }
        return collection.isEmpty() ? operation : operation + " " + collection;
    }

    public static SqlSummary of(String sql) {
        Tokens t = new Tokens(sql);
        String op = t.next().toUpperCase(Locale.ROOT);
        if (!OPERATIONS.contains(op)) {
            return new SqlSummary("", "");
        }
        String target = switch (op) {
            case "SELECT", "DELETE" -> t.after("FROM");
            case "INSERT", "REPLACE", "UPSERT", "MERGE" -> t.after("INTO");
            case "UPDATE" -> t.next();
            case "CREATE", "DROP", "ALTER", "TRUNCATE" -> t.afterObjectKeyword();
            default -> "";
        };
        return new SqlSummary(op, identifier(target));
    }

    /** The identifier without quoting ("x", `x`, [x]); "" if it is not one (a subquery, a keyword). */
    private static String identifier(String token) {
        String s = token.replace("\"", "").replace("`", "").replace("[", "").replace("]", "");
        if (s.isEmpty() || !s.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$')) {
            return "";
        }
        return OPERATIONS.contains(s.toUpperCase(Locale.ROOT)) ? "" : s;
    }

    /** The statement with string and numeric literals replaced by {@code ?}; comments kept out. */
    public static String sanitize(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i++;
                while (i < n) {
                    if (sql.charAt(i) == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
                i++;
                out.append('?');
            } else if (Character.isDigit(c) && (out.isEmpty() || !isIdentifierChar(out.charAt(out.length() - 1)))) {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    i++;
                }
                out.append('?');
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString().strip();
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '"' || c == '`';
    }

    /** Whitespace- and comment-separated words and punctuation of a statement, read left to right. */
    private static final class Tokens {
        private final String s;
        private int i;

        Tokens(String sql) {
            this.s = sanitize(sql);
        }

        String next() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            if (i < s.length() && (s.charAt(i) == '(' || s.charAt(i) == ',' || s.charAt(i) == ';')) {
                return s.substring(start, ++i);
            }
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '(' && s.charAt(i) != ','
                    && s.charAt(i) != ';') {
                i++;
            }
            return s.substring(start, i);
        }

        /** The word after the first (top-level enough for simple statements) occurrence of keyword. */
        String after(String keyword) {
            for (String w = next(); !w.isEmpty(); w = next()) {
                if (w.equalsIgnoreCase(keyword)) {
                    return next();
                }
            }
            return "";
        }

        /** CREATE/DROP/ALTER/TRUNCATE [TABLE|INDEX|VIEW] [IF [NOT] EXISTS] name. */
        String afterObjectKeyword() {
            String w = next();
            if (w.equalsIgnoreCase("TEMP") || w.equalsIgnoreCase("TEMPORARY") || w.equalsIgnoreCase("UNIQUE")) {
                w = next();
            }
            if (w.equalsIgnoreCase("TABLE") || w.equalsIgnoreCase("INDEX") || w.equalsIgnoreCase("VIEW")) {
                w = next();
            }
            if (w.equalsIgnoreCase("IF")) {
                w = next();
                if (w.equalsIgnoreCase("NOT")) {
                    next();
                }
                w = next();
            }
            return w;
        }
    }
}
