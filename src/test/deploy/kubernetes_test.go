package main

import (
	"path/filepath"
	"testing"
)

func TestKubernetesGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/kubernetes/good/*.yaml")
	if len(files) != 3 {
		t.Fatalf("want 3 good files, got %v", files)
	}
	for _, res := range CheckKubernetes(files) {
		wantCount(t, res, 0)
	}
}

// References are resolved across the set of files: the DaemonSet alone
// misses its ConfigMap and Secret.
func TestKubernetesReferencesAcrossFiles(t *testing.T) {
	res := CheckKubernetes([]string{"testdata/kubernetes/good/20-daemonset.yaml"})[0]
	want(t, res, 27, `env TRACEBEE_LOG_LEVEL refers to ConfigMap "tracebee-agent", which is not defined`)
	want(t, res, 32, `env OTLP_TOKEN refers to Secret "tracebee-otlp"`) // whitelisted only in 10-config.yaml
	want(t, res, 42, `envFrom refers to Secret "tracebee-extra"`)
	want(t, res, 58, `volume config refers to ConfigMap "tracebee-agent"`)
	wantCount(t, res, 4) // the optional secretKeyRef is not checked
}

func TestKubernetesStrict(t *testing.T) {
	res := CheckKubernetes([]string{"testdata/kubernetes/bad/strict.yaml"})[0]
	want(t, res, 22, `unknown field "spec.template.spec.containers[0].imagePullPolicyy"`)
	want(t, res, 35, `key "ports" already set in map`)
	want(t, res, 42, "Deployment strict-type: cannot decode: json: cannot unmarshal string")
	want(t, res, 51, `no kind "ServiceMonitor" is registered`)
	wantCount(t, res, 4)
}

func TestKubernetesResources(t *testing.T) {
	res := CheckKubernetes([]string{"testdata/kubernetes/bad/resources.yaml"})[0]
	want(t, res, 13, "Deployment no-resources: container app has no resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory")
	want(t, res, 30, "Pod half-resources: container app has no resources.requests.memory, resources.limits.cpu")
	wantCount(t, res, 2) // the init container is complete
}

func TestKubernetesReferences(t *testing.T) {
	res := CheckKubernetes([]string{"testdata/kubernetes/bad/refs.yaml"})[0]
	want(t, res, 29, `env A refers to ConfigMap "absent-config"`)
	want(t, res, 32, `env B refers to Secret "absent-secret"`)
	want(t, res, 32, `# deploycheck: external-secret absent-secret`)
	want(t, res, 35, `refers to key "no-such-key" of ConfigMap present, which has no such key (testdata/kubernetes/bad/refs.yaml:2)`)
	want(t, res, 41, `volume v1 refers to ConfigMap "absent-volume-config"`)
	want(t, res, 43, `volume v2 refers to Secret "absent-volume-secret"`)
	wantCount(t, res, 5) // whitelisted-secret is allowed
}

func TestKubernetesConfigMapYAML(t *testing.T) {
	res := CheckKubernetes([]string{"testdata/kubernetes/bad/configmap.yaml"})[0]
	want(t, res, 0, `ConfigMap broken-yaml: key "broken.yaml" is not valid YAML`)
	wantCount(t, res, 1) // good.yaml is fine, notyaml.txt is not checked
	if p := res.Problems[0]; p.Line < 8 || p.Line > 11 {
		t.Errorf("line %d is outside the broken.yaml value (8-11)", p.Line)
	}
}

func TestKubernetesDuplicateObject(t *testing.T) {
	f := "testdata/kubernetes/good/10-config.yaml"
	res := CheckKubernetes([]string{f, "testdata/kubernetes/bad/duplicate.yaml"})
	wantCount(t, res[0], 0)
	want(t, res[1], 1, "ConfigMap tracebee-agent is defined twice (first at testdata/kubernetes/good/10-config.yaml:4)")
}

func TestSplitYAMLDocs(t *testing.T) {
	in := "# header\n---\na: 1\n---\n# only a comment\n---\n\nb: 2\n...\n--- # trailing comment\nc: 3\n"
	docs := splitYAMLDocs("x", []byte(in))
	starts := []int{3, 7, 11}
	if len(docs) != len(starts) {
		t.Fatalf("want %d documents, got %d", len(starts), len(docs))
	}
	for n, d := range docs {
		if d.start != starts[n] {
			t.Errorf("document %d starts at %d, want %d", n, d.start, starts[n])
		}
	}
	if got := docs[1].fileLine(2); got != 8 {
		t.Errorf("line 2 of document 1 is file line %d, want 8", got)
	}
}
