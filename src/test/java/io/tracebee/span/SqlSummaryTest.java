package io.tracebee.span;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlSummaryTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT id, title FROM books WHERE id = ?|SELECT books",
        "  select * from \"Books\" b join authors a on a.id = b.author|SELECT Books",
        "INSERT INTO books (title) VALUES ('x')|INSERT books",
        "update books set title = 'y' where id = 3|UPDATE books",
        "DELETE FROM shop.books WHERE id = 1|DELETE shop.books",
        "CREATE TABLE IF NOT EXISTS books (id INTEGER)|CREATE books",
        "DROP TABLE IF EXISTS books|DROP books",
        "/* hint */ SELECT 1|SELECT",
        "-- comment\\nBEGIN|BEGIN",
        "SELECT * FROM (SELECT 1) t|SELECT",
        "VALUES (1)|DB",
        "|DB",
    })
    void namesTheSpanByOperationAndTable(String sql, String name) {
        assertThat(SqlSummary.of(sql == null ? "" : sql.replace("\\n", "\n")).spanName()).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT * FROM users WHERE name = 'bob' AND age > 42|SELECT * FROM users WHERE name = ? AND age > ?",
        "INSERT INTO t2 (a) VALUES ('it''s', 3.5)|INSERT INTO t2 (a) VALUES (?, ?)",
        "SELECT * FROM t WHERE id = $1 -- by id|SELECT * FROM t WHERE id = $1",
        "SELECT col1 FROM t /* x = 'secret' */ WHERE y = 0x1F|SELECT col1 FROM t  WHERE y = ?",
    })
    void literalsNeverLeaveTheProcess(String sql, String sanitized) {
        assertThat(SqlSummary.sanitize(sql)).isEqualTo(sanitized);
    }
}
