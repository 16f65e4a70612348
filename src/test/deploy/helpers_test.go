package main

import (
	"strings"
	"testing"
)

// want asserts that res has a problem at line (0: any line) whose message
// contains substr.
func want(t *testing.T, res FileResult, line int, substr string) {
	t.Helper()
	for _, p := range res.Problems {
		if (line == 0 || p.Line == line) && strings.Contains(p.Msg, substr) {
			return
		}
	}
	t.Errorf("%s: no problem at line %d containing %q; got:\n%s", res.File, line, substr, dump(res))
}

// wantCount asserts the number of problems.
func wantCount(t *testing.T, res FileResult, n int) {
	t.Helper()
	if len(res.Problems) != n {
		t.Errorf("%s: want %d problems, got %d:\n%s", res.File, n, len(res.Problems), dump(res))
	}
}

func dump(res FileResult) string {
	var b strings.Builder
	for _, p := range res.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}
