package main

import (
	"os"
	"testing"
)

func TestComposeGood(t *testing.T) {
	res := CheckCompose("testdata/compose/good.yaml")
	wantCount(t, res, 0)
	if res.Detail != "2 services" {
		t.Errorf("detail = %q", res.Detail)
	}
}

func TestComposeSchema(t *testing.T) {
	res := CheckCompose("testdata/compose/bad-schema.yaml")
	want(t, res, 4, "services.agent.privilegd: attribute not allowed by the compose schema")
	res = CheckCompose("testdata/compose/bad-type.yaml")
	want(t, res, 4, "services.agent.mem_limit must be a number or string")
	res = CheckCompose("testdata/compose/bad-yaml.yaml")
	want(t, res, 0, "did not find expected key")
}

func TestComposeConsistency(t *testing.T) {
	want(t, CheckCompose("testdata/compose/bad-consistency.yaml"), 2, "refers to undefined network undefined-net")
	want(t, CheckCompose("testdata/compose/bad-depends.yaml"), 2, `depends on undefined service "nosuchservice"`)
}

func TestComposePaths(t *testing.T) {
	res := CheckCompose("testdata/compose/bad-paths.yaml")
	want(t, res, 4, `service agent: build context "./no-such-dir" is not a directory`)
	want(t, res, 8, `service collector: dockerfile "Dockerfile.missing" not found in build context "./app"`)
	want(t, res, 13, `service web: bind mount source "./no-such-conf" does not exist`)
	want(t, res, 14, `service web: bind mount source "./missing.txt" does not exist`)
	wantCount(t, res, 4) // ./conf exists
}

func TestComposeWarnings(t *testing.T) {
	t.Setenv("DEPLOYCHECK_UNSET_TAG", "")
	os.Unsetenv("DEPLOYCHECK_UNSET_TAG")
	res := CheckCompose("testdata/compose/bad-warn.yaml")
	want(t, res, 1, "the attribute `version` is obsolete")
	want(t, res, 4, `The "DEPLOYCHECK_UNSET_TAG" variable is not set`)
	wantCount(t, res, 2)
}

// Interpolation uses the process environment and ${VAR:-default}.
func TestComposeInterpolation(t *testing.T) {
	t.Setenv("DEPLOYCHECK_TEST_CONTEXT", "") // restored after the test
	os.Unsetenv("DEPLOYCHECK_TEST_CONTEXT")
	wantCount(t, CheckCompose("testdata/compose/env-context.yaml"), 0)
	t.Setenv("DEPLOYCHECK_TEST_CONTEXT", "./nope")
	want(t, CheckCompose("testdata/compose/env-context.yaml"), 4, `build context "./nope" is not a directory`)
}
