package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dfCtx = "testdata/dockerfile/ctx"

func TestDockerfileGood(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/good.Dockerfile", dfCtx)
	wantCount(t, res, 0)
	if res.Detail != "3 stages" {
		t.Errorf("detail = %q, want 3 stages", res.Detail)
	}
}

// Every rule of `docker build --check` that the sample breaks must fire,
// even though the file says "# check=skip=all".
func TestDockerfileLintRules(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/bad-lint.Dockerfile", dfCtx)
	for _, w := range []struct {
		line int
		rule string
	}{
		{2, "StageNameCasing"},
		{2, "FromAsCasing"},
		{3, "MaintainerDeprecated"},
		{4, "WorkdirRelativePath"},
		{5, "UndefinedVar: Usage of undefined variable '$UNDEFINED_THING'"},
		{6, "LegacyKeyValueFormat"},
		{7, "SecretsUsedInArgOrEnv"},
		{8, "ConsistentInstructionCasing"},
		{9, "ExposeProtoCasing"},
		{10, "JSONArgsRecommended"},
		{12, "RedundantTargetPlatform"},
		{13, "DuplicateStageName"},
	} {
		want(t, res, w.line, w.rule)
	}
	wantCount(t, res, 12) // no duplicates although two passes see the same rules

	res = CheckDockerfile("testdata/dockerfile/bad-arg.Dockerfile", dfCtx)
	want(t, res, 2, "InvalidDefaultArgInFrom")
	want(t, res, 2, "build error")
	want(t, res, 3, "UndefinedArgInFrom")
}

func TestDockerfileSkipRules(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/bad-lint.Dockerfile", dfCtx, "JSONArgsRecommended", "UndefinedVar")
	wantCount(t, res, 10)
	for _, p := range res.Problems {
		if strings.HasPrefix(p.Msg, "JSONArgsRecommended") || strings.HasPrefix(p.Msg, "UndefinedVar") {
			t.Errorf("skipped rule reported: %s", p)
		}
	}
}

func TestDockerfileStageReferences(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/bad-from.Dockerfile", dfCtx)
	want(t, res, 2, `COPY --from=later refers to stage "later" defined later (line 7)`)
	want(t, res, 3, "COPY --from=nosuchstage does not name an earlier stage")
	want(t, res, 4, "stage index 0 is not an earlier stage")
	want(t, res, 5, "RUN --mount from=missing does not name an earlier stage")
	want(t, res, 9, "stage index 2 is not an earlier stage")
	for _, p := range res.Problems {
		if p.Line == 8 {
			t.Errorf("COPY --from=base (an earlier stage) reported: %s", p)
		}
	}
}

func TestDockerfileSources(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/bad-source.Dockerfile", dfCtx)
	want(t, res, 3, `COPY source "missing.jar" not found`)
	want(t, res, 4, `COPY source "nothing/*.jar" matches no file`)
	want(t, res, 5, "points outside the build context")
	want(t, res, 6, `ADD source "missing.tar.gz" not found`)
	want(t, res, 8, `RUN --mount bind source "no-such-dir" not found`)
	wantCount(t, res, 5) // COPY ${NAME}.jar (line 7) is skipped

	// the same sources exist in another context
	dir := t.TempDir()
	for _, f := range []string{"missing.jar", "nothing/x.jar", "missing.tar.gz", "no-such-dir/f"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res = CheckDockerfile("testdata/dockerfile/bad-source.Dockerfile", dir)
	want(t, res, 5, "points outside the build context")
	wantCount(t, res, 1)
}

func TestDockerfileDockerignore(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/ignored.Dockerfile", dfCtx)
	want(t, res, 2, `COPY source "secret.txt" is excluded by testdata/dockerfile/ignored.Dockerfile.dockerignore`)
	wantCount(t, res, 1)
}

func TestDockerfileParseError(t *testing.T) {
	res := CheckDockerfile("testdata/dockerfile/broken.Dockerfile", dfCtx)
	want(t, res, 2, "unknown flag: --chmodd")
	res = CheckDockerfile("testdata/dockerfile/does-not-exist", dfCtx)
	want(t, res, 0, "cannot read")
}

// Variables that only the base image defines are UndefinedVar unless
// declared with a base-env comment.
func TestDockerfileBaseEnv(t *testing.T) {
	dir := t.TempDir()
	body := "FROM eclipse-temurin:21-jre\nENV PATH=\"${JAVA_HOME}/bin:${PATH}\"\n"
	plain := filepath.Join(dir, "plain.Dockerfile")
	declared := filepath.Join(dir, "declared.Dockerfile")
	if err := os.WriteFile(plain, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(declared, []byte("# deploycheck: base-env JAVA_HOME\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	res := CheckDockerfile(plain, dir)
	want(t, res, 2, "UndefinedVar: Usage of undefined variable '$JAVA_HOME'")
	wantCount(t, res, 1) // PATH is known
	wantCount(t, CheckDockerfile(declared, dir), 0)
}

func TestForceAllRules(t *testing.T) {
	in := "# syntax=docker/dockerfile:1\n# check=skip=all;error=true\nFROM alpine:3.20\n"
	got := string(forceAllRules([]byte(in)))
	wantOut := "# syntax=docker/dockerfile:1\n# check=experimental=all\nFROM alpine:3.20\n"
	if got != wantOut {
		t.Errorf("forceAllRules:\n%s\nwant:\n%s", got, wantOut)
	}
	plain := "FROM alpine:3.20\n# check=skip=all\n"
	if got := string(forceAllRules([]byte(plain))); got != plain {
		t.Errorf("a comment after FROM is not a directive, but was rewritten:\n%s", got)
	}
}
