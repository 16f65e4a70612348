package io.tracebee.inspect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Go string literals as {@code strconv.Quote} writes them into build settings. */
final class GoStrings {

    private GoStrings() {
    }

    /** The length of the quoted literal ({@code "..."} or {@code `...`}) at the start of {@code s}. */
    static int quotedPrefixLength(String s) {
        char q = s.charAt(0);
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && q == '"') {
                i++;
            } else if (c == q) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unterminated quoted string");
    }

    /** The value of a whole Go string literal, like {@code strconv.Unquote}. */
    static String unquote(String s) {
        if (s.length() < 2 || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw new IllegalArgumentException("not a quoted string");
        }
        if (s.charAt(0) == '`') {
            return s.substring(1, s.length() - 1);
        }
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int end = s.length() - 1;
        for (int i = 1; i < end; i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                flush(bytes, out);
                out.append(c);
                continue;
            }
            if (++i >= end) {
                throw new IllegalArgumentException("dangling backslash");
            }
            char e = s.charAt(i);
            switch (e) {
                case 'a' -> append(bytes, out, 7);
                case 'b' -> append(bytes, out, 8);
                case 'f' -> append(bytes, out, 12);
                case 'n' -> append(bytes, out, '\n');
                case 'r' -> append(bytes, out, '\r');
                case 't' -> append(bytes, out, '\t');
                case 'v' -> append(bytes, out, 11);
                case '\\', '"', '\'' -> append(bytes, out, e);
                case 'x' -> {
                    bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u', 'U' -> {
                    int n = e == 'u' ? 4 : 8;
                    flush(bytes, out);
                    out.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 1 + n), 16));
                    i += n;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        bytes.write(Integer.parseInt(s.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        throw new IllegalArgumentException("unknown escape \\" + e);
                    }
                }
            }
        }
        flush(bytes, out);
        return out.toString();
    }

    private static void append(ByteArrayOutputStream bytes, StringBuilder out, int c) {
        flush(bytes, out);
        out.append((char) c);
    }

    /** Raw \x and octal escapes are bytes of UTF-8 sequences; decode them together. */
    private static void flush(ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() > 0) {
            out.append(bytes.toString(StandardCharsets.UTF_8));
            bytes.reset();
        }
    }
}
