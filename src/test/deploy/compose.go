package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"
)

// warningHook collects what compose-go logs at warning level (unset
// variables, obsolete attributes, ...): each one is a problem.
type warningHook struct {
	mu   sync.Mutex
	msgs []string
}

func (h *warningHook) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (h *warningHook) Fire(e *logrus.Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, e.Message)
	return nil
}

func (h *warningHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.msgs
	h.msgs = nil
	return m
}

var composeWarnings = &warningHook{}

func init() {
	logrus.SetOutput(io.Discard)
	logrus.AddHook(composeWarnings)
}

var (
	lineNumberRE  = regexp.MustCompile(`\bline (\d+)\b`)
	composePathRE = regexp.MustCompile(`\b((?:services|networks|volumes|secrets|configs|models|include)(?:\.[A-Za-z0-9_-]+|\[\d+\])*)`)
	serviceRE     = regexp.MustCompile(`\bservice "([^"]+)"`)
	unsetVarRE    = regexp.MustCompile(`The "([A-Za-z_][A-Za-z0-9_]*)" variable is not set`)
	obsoleteRE    = regexp.MustCompile("the attribute `([a-z_]+)` is obsolete")
)

// composeErrLine guesses the line of a compose-go message: an explicit
// "line N" (the last one: YAML errors name the enclosing block first), the
// line of a model path (services.x.y), of a service name, of an unset
// variable's use, or of an obsolete top-level attribute.
func composeErrLine(msg string, raw []byte, root *yaml.Node) int {
	if ms := lineNumberRE.FindAllStringSubmatch(msg, -1); ms != nil {
		n, _ := strconv.Atoi(ms[len(ms)-1][1])
		return n
	}
	if m := composePathRE.FindStringSubmatch(msg); m != nil && root != nil {
		return lineOfDotted(root, m[1])
	}
	if m := serviceRE.FindStringSubmatch(msg); m != nil && root != nil {
		return lineOf(root, keyElem("services"), keyElem(m[1]))
	}
	if m := obsoleteRE.FindStringSubmatch(msg); m != nil && root != nil {
		return lineOf(root, keyElem(m[1]))
	}
	if m := unsetVarRE.FindStringSubmatch(msg); m != nil {
		use := regexp.MustCompile(`\$\{?` + m[1] + `\b`)
		for n, l := range strings.Split(string(raw), "\n") {
			if use.MatchString(l) {
				return n + 1
			}
		}
	}
	return 0
}

// explainSchema makes jsonschema's terse messages readable.
func explainSchema(msg string) string {
	if strings.HasSuffix(msg, " false schema") {
		return strings.TrimSuffix(msg, " false schema") + ": attribute not allowed by the compose schema"
	}
	return msg
}

// CheckCompose loads one compose file the way `docker compose config` does
// (schema validation, interpolation from the environment, consistency
// checks) and verifies build contexts, Dockerfiles and relative bind mounts.
func CheckCompose(file string) FileResult {
	res := FileResult{File: file}
	defer func() { sortProblems(res.Problems) }()
	add := func(line int, format string, args ...any) {
		res.Problems = append(res.Problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	raw, err := os.ReadFile(file)
	if err != nil {
		add(0, "cannot read: %v", err)
		return res
	}
	root := parseYAMLNode(raw)
	abs, err := filepath.Abs(file)
	if err != nil {
		add(0, "%v", err)
		return res
	}
	workDir := filepath.Dir(abs)
	clean := func(s string) string { // shorter messages: absolute paths as given
		s = strings.ReplaceAll(s, abs, file)
		return strings.ReplaceAll(s, workDir+string(filepath.Separator), "")
	}

	composeWarnings.take()
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(workDir),
		cli.WithOsEnv,
		cli.WithInterpolation(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(false),
		cli.WithLoadOptions(func(o *loader.Options) { o.SkipValidation = false }),
	)
	if err != nil {
		add(0, "compose options: %v", err)
		return res
	}
	project, err := opts.LoadProject(context.Background())
	for _, w := range composeWarnings.take() {
		w = clean(w)
		add(composeErrLine(w, raw, root), "compose warning: %s", w)
	}
	if err != nil {
		msg := explainSchema(clean(err.Error()))
		add(composeErrLine(msg, raw, root), "compose: %s", msg)
		return res
	}

	names := make([]string, 0, len(project.Services)+len(project.DisabledServices))
	all := map[string]types.ServiceConfig{}
	for n, s := range project.Services {
		names, all[n] = append(names, n), s
	}
	for n, s := range project.DisabledServices {
		names, all[n] = append(names, n), s
	}
	sort.Strings(names)
	for _, name := range names {
		checkComposeService(name, all[name], workDir, filepath.Dir(file), root, add)
	}
	res.Detail = fmt.Sprintf("%d services", len(names))
	if len(names) == 1 {
		res.Detail = "1 service"
	}
	return res
}

func isRemoteContext(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "github.com/")
}

func checkComposeService(name string, s types.ServiceConfig, workDir, shownDir string, root *yaml.Node, add func(int, string, ...any)) {
	svc := []pathElem{keyElem("services"), keyElem(name)}
	at := func(p ...pathElem) int { return lineOf(root, append(append([]pathElem{}, svc...), p...)...) }

	if b := s.Build; b != nil && !isRemoteContext(b.Context) {
		ctxDir := b.Context
		if ctxDir == "" {
			ctxDir = "."
		}
		if !filepath.IsAbs(ctxDir) {
			ctxDir = filepath.Join(workDir, ctxDir)
		}
		if st, err := os.Stat(ctxDir); err != nil || !st.IsDir() {
			add(at(keyElem("build"), keyElem("context")), "service %s: build context %q is not a directory", name, b.Context)
		} else if b.DockerfileInline == "" {
			df := b.Dockerfile
			if df == "" {
				df = "Dockerfile"
			}
			p := df
			if !filepath.IsAbs(p) {
				p = filepath.Join(ctxDir, p)
			}
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				add(at(keyElem("build"), keyElem("dockerfile")), "service %s: dockerfile %q not found in build context %q", name, df, b.Context)
			}
		}
		for ctxName, extra := range b.AdditionalContexts {
			if isRemoteContext(extra) || strings.HasPrefix(extra, "service:") || strings.HasPrefix(extra, "docker-image://") || strings.HasPrefix(extra, "oci-layout://") {
				continue
			}
			p := extra
			if !filepath.IsAbs(p) {
				p = filepath.Join(workDir, p)
			}
			if _, err := os.Stat(p); err != nil {
				add(at(keyElem("build"), keyElem("additional_contexts")), "service %s: additional context %s=%q does not exist", name, ctxName, extra)
			}
		}
	}

	for n, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind || v.Source == "" {
			continue
		}
		src := v.Source
		if filepath.IsAbs(src) || strings.HasPrefix(src, "~") || strings.HasPrefix(src, "$") {
			continue // host paths such as /sys/fs/bpf are not checked
		}
		if _, err := os.Stat(filepath.Join(workDir, src)); err != nil {
			add(at(keyElem("volumes"), idxElem(n)), "service %s: bind mount source %q does not exist (relative to %s)", name, src, shownDir)
		}
	}
}
