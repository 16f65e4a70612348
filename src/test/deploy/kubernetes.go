package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
)

var (
	// strict decoder: unknown fields, duplicate fields, wrong types and
	// unknown kinds are all errors.
	k8sDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

	docSeparatorRE = regexp.MustCompile(`^(---|\.\.\.)\s*(#.*)?$`)
	// "# deploycheck: external-secret NAME [NAME...]" and the same for
	// ConfigMaps: objects that the user creates outside these files.
	externalRE = regexp.MustCompile(`(?m)#\s*deploycheck:\s*external-(secret|configmap)\s+([^\n#]+)`)
	quotedRE   = regexp.MustCompile(`"([^"]+)"`)
	// encoding/json style type errors name the JSON path of the field.
	goFieldRE = regexp.MustCompile(`Go struct field [A-Za-z0-9_]+\.([A-Za-z0-9_.\[\]]+) of type`)
	// "yaml: line 3: ..." inside an embedded YAML value.
	yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)
	// "line 9: key "ports" already set in map" in duplicate-field errors.
	innerLineRE = regexp.MustCompile(`\bline (\d+): `)
)

// yamlDoc is one document of a multi-document YAML file.
type yamlDoc struct {
	file  string
	start int // line in file of the document's first line
	body  []byte
	node  *yaml.Node
}

// fileLine converts a line inside the document to a line in the file.
func (d *yamlDoc) fileLine(docLine int) int {
	if docLine <= 0 {
		return d.start
	}
	return d.start + docLine - 1
}

// lineOf is the file line of path in the document; without a path, the line
// of its first content (after leading comments).
func (d *yamlDoc) lineOf(path ...pathElem) int { return d.fileLine(lineOf(d.node, path...)) }

// splitYAMLDocs splits a stream at "---" (and "...") lines, remembering where
// each document starts. Documents holding only comments and blank lines are
// dropped.
func splitYAMLDocs(file string, data []byte) []*yamlDoc {
	var docs []*yamlDoc
	var cur bytes.Buffer
	start, line, content := 1, 0, false
	flush := func(next int) {
		if content {
			body := append([]byte(nil), cur.Bytes()...)
			docs = append(docs, &yamlDoc{file: file, start: start, body: body, node: parseYAMLNode(body)})
		}
		cur.Reset()
		start, content = next, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line++
		text := sc.Text()
		if docSeparatorRE.MatchString(text) {
			flush(line + 1)
			continue
		}
		if t := strings.TrimSpace(text); t != "" && !strings.HasPrefix(t, "#") {
			content = true
		}
		cur.WriteString(text)
		cur.WriteByte('\n')
	}
	flush(line + 1)
	return docs
}

// k8sObject is a decoded document.
type k8sObject struct {
	doc  *yamlDoc
	obj  runtime.Object
	kind string
	name string
	ns   string
}

type kubeChecker struct {
	results  map[string]*FileResult
	objects  []*k8sObject
	external map[string]map[string]bool // "Secret"/"ConfigMap" -> names
	defined  map[string][]*k8sObject    // "Kind/name" -> objects
}

func (kc *kubeChecker) add(file string, line int, format string, args ...any) {
	r := kc.results[file]
	r.Problems = append(r.Problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// CheckKubernetes checks a set of manifest files together: references
// between them (ConfigMaps, Secrets) are resolved across the whole set.
func CheckKubernetes(files []string) []FileResult {
	kc := &kubeChecker{
		results:  map[string]*FileResult{},
		external: map[string]map[string]bool{"Secret": {}, "ConfigMap": {}},
		defined:  map[string][]*k8sObject{},
	}
	for _, f := range files {
		if _, dup := kc.results[f]; !dup {
			kc.results[f] = &FileResult{File: f}
		}
	}
	for _, f := range files {
		kc.load(f)
	}
	kc.checkDuplicates()
	for _, o := range kc.objects {
		kc.checkObject(o)
	}
	var out []FileResult
	done := map[string]bool{}
	for _, f := range files {
		if done[f] {
			continue
		}
		done[f] = true
		r := kc.results[f]
		sortProblems(r.Problems)
		out = append(out, *r)
	}
	return out
}

func (kc *kubeChecker) load(file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		kc.add(file, 0, "cannot read: %v", err)
		return
	}
	for _, m := range externalRE.FindAllSubmatch(data, -1) {
		kind := "Secret"
		if string(m[1]) == "configmap" {
			kind = "ConfigMap"
		}
		for _, name := range strings.Fields(string(m[2])) {
			kc.external[kind][name] = true
		}
	}
	docs := splitYAMLDocs(file, data)
	kinds := map[string]int{}
	for _, d := range docs {
		if o := kc.decode(d); o != nil {
			kc.objects = append(kc.objects, o)
			kinds[o.kind]++
			key := o.kind + "/" + o.name
			kc.defined[key] = append(kc.defined[key], o)
		}
	}
	r := kc.results[file]
	r.Detail = fmt.Sprintf("%d documents", len(docs))
	if len(docs) == 1 {
		r.Detail = "1 document"
	}
	if len(kinds) > 0 {
		var ks []string
		for kind, n := range kinds {
			if n > 1 {
				kind = fmt.Sprintf("%d×%s", n, kind)
			}
			ks = append(ks, kind)
		}
		sort.Strings(ks)
		r.Detail += " (" + strings.Join(ks, ", ") + ")"
	}
}

// decode decodes one document strictly; it reports problems and returns
// the object when it could be decoded (possibly with strict errors).
func (kc *kubeChecker) decode(d *yamlDoc) *k8sObject {
	if d.node == nil {
		var n yaml.Node
		err := yaml.Unmarshal(d.body, &n)
		line := d.start
		if err != nil {
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				l, _ := strconv.Atoi(m[1])
				line = d.fileLine(l)
			}
		}
		kc.add(d.file, line, "invalid YAML: %v", err)
		return nil
	}
	obj, gvk, err := k8sDecoder.Decode(d.body, nil, nil)
	if gvk == nil {
		gvk = &schema.GroupVersionKind{}
	}
	if err != nil {
		if se, ok := runtime.AsStrictDecodingError(err); ok && obj != nil {
			for _, e := range se.Errors() {
				line := d.lineOf()
				if m := innerLineRE.FindStringSubmatch(e.Error()); m != nil {
					n, _ := strconv.Atoi(m[1]) // "line 9: key "ports" already set in map"
					line = d.fileLine(n)
				} else if m := quotedRE.FindStringSubmatch(e.Error()); m != nil {
					line = d.fileLine(lineOfDotted(d.node, m[1]))
				}
				msg := innerLineRE.ReplaceAllString(e.Error(), "") // the line is in FILE:LINE
				kc.add(d.file, line, "%s: strict decoding error: %s", describe(gvk.Kind, obj), msg)
			}
		} else {
			line := d.lineOf()
			if m := goFieldRE.FindStringSubmatch(err.Error()); m != nil {
				line = d.fileLine(lineOfDotted(d.node, m[1]))
			}
			msg := err.Error()
			if i := strings.Index(msg, " is missing in '"); i >= 0 {
				msg = msg[:i] + " is missing" // the rest repeats the whole document
			}
			kc.add(d.file, line, "%scannot decode: %s", rawIdentity(d.node), msg)
			return nil
		}
	}
	o := &k8sObject{doc: d, obj: obj, kind: gvk.Kind}
	if acc, ok := obj.(interface {
		GetName() string
		GetNamespace() string
	}); ok {
		o.name, o.ns = acc.GetName(), acc.GetNamespace()
	}
	if o.name == "" {
		kc.add(d.file, d.lineOf(keyElem("metadata")), "%s has no metadata.name", gvk.Kind)
	}
	return o
}

// rawIdentity names a document that could not be decoded from its raw
// kind and metadata.name, as "Kind name: ", or "" when they are unknown.
func rawIdentity(root *yaml.Node) string {
	var id struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
	}
	if root == nil || root.Decode(&id) != nil || id.Kind == "" {
		return ""
	}
	if id.Metadata.Name == "" {
		return id.Kind + ": "
	}
	return id.Kind + " " + id.Metadata.Name + ": "
}

func describe(kind string, obj runtime.Object) string {
	if acc, ok := obj.(interface{ GetName() string }); ok && acc.GetName() != "" {
		return kind + " " + acc.GetName()
	}
	return kind
}

// sameNamespace: an empty namespace means "whatever namespace it is applied to".
func sameNamespace(a, b string) bool { return a == "" || b == "" || a == b }

func (kc *kubeChecker) checkDuplicates() {
	keys := make([]string, 0, len(kc.defined))
	for key := range kc.defined {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		objs := kc.defined[key]
		for a := 1; a < len(objs); a++ {
			for b := 0; b < a; b++ {
				if objs[a].ns == objs[b].ns && objs[a].name != "" {
					kc.add(objs[a].doc.file, objs[a].doc.lineOf(), "%s %s is defined twice (first at %s:%d)",
						objs[a].kind, objs[a].name, objs[b].doc.file, objs[b].doc.lineOf())
					break
				}
			}
		}
	}
}

// lookup finds a ConfigMap or Secret visible from namespace ns.
func (kc *kubeChecker) lookup(kind, name, ns string) *k8sObject {
	for _, o := range kc.defined[kind+"/"+name] {
		if sameNamespace(o.ns, ns) {
			return o
		}
	}
	return nil
}

func (kc *kubeChecker) checkObject(o *k8sObject) {
	d := o.doc
	switch obj := o.obj.(type) {
	case *corev1.ConfigMap:
		kc.checkConfigMap(d, obj)
	case *corev1.Pod:
		kc.checkPodSpec(o, &obj.Spec, keyElem("spec"))
	case *appsv1.Deployment:
		kc.checkPodSpec(o, &obj.Spec.Template.Spec, keyElem("spec"), keyElem("template"), keyElem("spec"))
	case *appsv1.DaemonSet:
		kc.checkPodSpec(o, &obj.Spec.Template.Spec, keyElem("spec"), keyElem("template"), keyElem("spec"))
	case *appsv1.StatefulSet:
		kc.checkPodSpec(o, &obj.Spec.Template.Spec, keyElem("spec"), keyElem("template"), keyElem("spec"))
	case *appsv1.ReplicaSet:
		kc.checkPodSpec(o, &obj.Spec.Template.Spec, keyElem("spec"), keyElem("template"), keyElem("spec"))
	case *batchv1.Job:
		kc.checkPodSpec(o, &obj.Spec.Template.Spec, keyElem("spec"), keyElem("template"), keyElem("spec"))
	case *batchv1.CronJob:
		kc.checkPodSpec(o, &obj.Spec.JobTemplate.Spec.Template.Spec,
			keyElem("spec"), keyElem("jobTemplate"), keyElem("spec"), keyElem("template"), keyElem("spec"))
	}
}

// checkConfigMap verifies that every key ending in .yaml/.yml holds valid
// YAML (all documents of it).
func (kc *kubeChecker) checkConfigMap(d *yamlDoc, cm *corev1.ConfigMap) {
	keys := make([]string, 0, len(cm.Data))
	for key := range cm.Data {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if !strings.HasSuffix(key, ".yaml") && !strings.HasSuffix(key, ".yml") {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(cm.Data[key]))
		for {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				line := d.lineOf(keyElem("data"), keyElem(key))
				if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil && valueIsBlock(d.node, key) {
					n, _ := strconv.Atoi(m[1])
					line += n // block scalar content starts on the line after the key
				}
				kc.add(d.file, line, "ConfigMap %s: key %q is not valid YAML: %v", cm.Name, key, err)
				break
			}
		}
	}
}

// valueIsBlock tells whether data.<key> is a literal or folded block scalar.
func valueIsBlock(root *yaml.Node, key string) bool {
	if root == nil {
		return false
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, step := range []string{"data", key} {
		var next *yaml.Node
		if n.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == step {
					next = n.Content[j+1]
				}
			}
		}
		if next == nil {
			return false
		}
		n = next
	}
	return n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
}

func (kc *kubeChecker) checkPodSpec(o *k8sObject, spec *corev1.PodSpec, base ...pathElem) {
	d := o.doc
	at := func(p ...pathElem) int { return d.lineOf(append(append([]pathElem{}, base...), p...)...) }
	what := o.kind + " " + o.name

	groups := []struct {
		field string
		list  []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}}
	for _, g := range groups {
		for ci, c := range g.list {
			cpath := []pathElem{keyElem(g.field), idxElem(ci)}
			cat := func(p ...pathElem) int { return at(append(append([]pathElem{}, cpath...), p...)...) }
			var missing []string
			for _, rl := range []struct {
				name string
				list corev1.ResourceList
			}{{"requests", c.Resources.Requests}, {"limits", c.Resources.Limits}} {
				for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					if _, ok := rl.list[r]; !ok {
						missing = append(missing, "resources."+rl.name+"."+string(r))
					}
				}
			}
			if len(missing) > 0 {
				kc.add(d.file, cat(keyElem("resources")), "%s: container %s has no %s", what, c.Name, strings.Join(missing, ", "))
			}
			for ei, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				epath := []pathElem{keyElem("env"), idxElem(ei), keyElem("valueFrom")}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					kc.checkRef(o, "ConfigMap", r.Name, []string{r.Key}, r.Optional,
						cat(append(epath, keyElem("configMapKeyRef"))...), "container "+c.Name+" env "+e.Name)
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					kc.checkRef(o, "Secret", r.Name, []string{r.Key}, r.Optional,
						cat(append(epath, keyElem("secretKeyRef"))...), "container "+c.Name+" env "+e.Name)
				}
			}
			for ei, e := range c.EnvFrom {
				if r := e.ConfigMapRef; r != nil {
					kc.checkRef(o, "ConfigMap", r.Name, nil, r.Optional,
						cat(keyElem("envFrom"), idxElem(ei)), "container "+c.Name+" envFrom")
				}
				if r := e.SecretRef; r != nil {
					kc.checkRef(o, "Secret", r.Name, nil, r.Optional,
						cat(keyElem("envFrom"), idxElem(ei)), "container "+c.Name+" envFrom")
				}
			}
		}
	}

	itemKeys := func(items []corev1.KeyToPath) []string {
		var ks []string
		for _, it := range items {
			ks = append(ks, it.Key)
		}
		return ks
	}
	for vi, v := range spec.Volumes {
		vat := func(p ...pathElem) int { return at(append([]pathElem{keyElem("volumes"), idxElem(vi)}, p...)...) }
		where := "volume " + v.Name
		if v.ConfigMap != nil {
			kc.checkRef(o, "ConfigMap", v.ConfigMap.Name, itemKeys(v.ConfigMap.Items), v.ConfigMap.Optional, vat(keyElem("configMap")), where)
		}
		if v.Secret != nil {
			kc.checkRef(o, "Secret", v.Secret.SecretName, itemKeys(v.Secret.Items), v.Secret.Optional, vat(keyElem("secret")), where)
		}
		if v.Projected != nil {
			for si, s := range v.Projected.Sources {
				src := []pathElem{keyElem("projected"), keyElem("sources"), idxElem(si)}
				if s.ConfigMap != nil {
					kc.checkRef(o, "ConfigMap", s.ConfigMap.Name, itemKeys(s.ConfigMap.Items), s.ConfigMap.Optional, vat(append(src, keyElem("configMap"))...), where)
				}
				if s.Secret != nil {
					kc.checkRef(o, "Secret", s.Secret.Name, itemKeys(s.Secret.Items), s.Secret.Optional, vat(append(src, keyElem("secret"))...), where)
				}
			}
		}
	}
}

// checkRef verifies that a referenced ConfigMap/Secret is defined in the
// checked files (or whitelisted as external) and has the referenced keys.
// References marked optional: true are not checked: Kubernetes starts the
// pod without them.
func (kc *kubeChecker) checkRef(o *k8sObject, kind, name string, keys []string, optional *bool, line int, where string) {
	if optional != nil && *optional {
		return
	}
	what := o.kind + " " + o.name
	if name == "" {
		kc.add(o.doc.file, line, "%s: %s refers to a %s without a name", what, where, kind)
		return
	}
	def := kc.lookup(kind, name, o.ns)
	if def == nil {
		if kc.external[kind][name] {
			return
		}
		hint := "configmap"
		if kind == "Secret" {
			hint = "secret"
		}
		kc.add(o.doc.file, line, "%s: %s refers to %s %q, which is not defined in the checked files (if it is created outside them, add a comment \"# deploycheck: external-%s %s\")",
			what, where, kind, name, hint, name)
		return
	}
	have := map[string]bool{}
	switch obj := def.obj.(type) {
	case *corev1.ConfigMap:
		for key := range obj.Data {
			have[key] = true
		}
		for key := range obj.BinaryData {
			have[key] = true
		}
	case *corev1.Secret:
		for key := range obj.Data {
			have[key] = true
		}
		for key := range obj.StringData {
			have[key] = true
		}
	}
	for _, key := range keys {
		if key != "" && !have[key] {
			kc.add(o.doc.file, line, "%s: %s refers to key %q of %s %s, which has no such key (%s:%d)",
				what, where, key, kind, name, def.doc.file, def.doc.lineOf())
		}
	}
}
