package main

import (
	"bytes"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	rc := run(args, &out, &errb)
	return rc, out.String(), errb.String()
}

func TestCLIOK(t *testing.T) {
	rc, out, _ := runCLI("--context", dfCtx, "dockerfile", "testdata/dockerfile/good.Dockerfile")
	if rc != 0 || out != "ok testdata/dockerfile/good.Dockerfile: 3 stages, 0 problems\n" {
		t.Errorf("rc=%d out=%q", rc, out)
	}
}

func TestCLIProblems(t *testing.T) {
	rc, out, _ := runCLI("compose", "testdata/compose/good.yaml", "testdata/compose/bad-paths.yaml")
	if rc != 1 {
		t.Errorf("rc = %d, want 1", rc)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 4 problems and 2 summaries, got:\n%s", out)
	}
	if !strings.HasPrefix(lines[0], "testdata/compose/bad-paths.yaml:4: service agent: build context") {
		t.Errorf("problem line format: %q", lines[0])
	}
	if lines[4] != "ok testdata/compose/good.yaml: 2 services, 0 problems" ||
		lines[5] != "FAIL testdata/compose/bad-paths.yaml: 3 services, 4 problems" {
		t.Errorf("summaries: %q, %q", lines[4], lines[5])
	}
}

func TestCLIUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"dockerfile"},
		{"nonsense", "x"},
		{"--context", "testdata/no-such-dir", "dockerfile", "x"},
	} {
		if rc, _, _ := runCLI(args...); rc != 2 {
			t.Errorf("%v: rc = %d, want 2", args, rc)
		}
	}
}

func TestCLIKubernetesSingleLine(t *testing.T) {
	rc, out, _ := runCLI("kubernetes", "testdata/kubernetes/bad/strict.yaml")
	if rc != 1 {
		t.Errorf("rc = %d", rc)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, "testdata/kubernetes/bad/strict.yaml:") && !strings.HasPrefix(l, "FAIL ") {
			t.Errorf("unexpected line %q", l)
		}
	}
}
