package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// defaultPath is the PATH the offline resolver pretends every base image has.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// baseEnvRE matches "# deploycheck: base-env NAME [NAME...]" comments, which
// declare environment variables that a base image provides (the offline
// checker cannot pull images, so it cannot know them otherwise).
var baseEnvRE = regexp.MustCompile(`(?m)^\s*#\s*deploycheck:\s*base-env\s+(.+)$`)

// dockerfileChecker holds the state for checking one Dockerfile.
type dockerfileChecker struct {
	file       string
	contextDir string
	res        *FileResult
	seen       map[string]bool
	ignore     *patternmatcher.PatternMatcher
	ignoreFile string
	skip       map[string]bool // lint rules not to report
}

func (c *dockerfileChecker) add(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	key := strconv.Itoa(line) + "\x00" + msg
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.res.Problems = append(c.res.Problems, Problem{File: c.file, Line: line, Msg: msg})
}

// warn is the linter.LintWarnFunc that turns every lint warning into a problem.
func (c *dockerfileChecker) warn(rulename, _, url, fmtmsg string, location []parser.Range) {
	if c.skip[rulename] {
		return
	}
	msg := rulename + ": " + fmtmsg
	if url != "" {
		msg += " (" + url + ")"
	}
	c.add(firstLine(location), "%s", msg)
}

func firstLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

func errLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, l := range le.Locations {
			if n := firstLine(l); n > 0 {
				return n
			}
		}
	}
	return 0
}

// CheckDockerfile parses file with BuildKit's parser and instruction
// parser, runs every `docker build --check` rule (except the rules named in
// skipRules), and verifies stage references and build-context sources.
func CheckDockerfile(file, contextDir string, skipRules ...string) FileResult {
	res := FileResult{File: file}
	c := &dockerfileChecker{file: file, contextDir: contextDir, res: &res, seen: map[string]bool{}, skip: map[string]bool{}}
	for _, r := range skipRules {
		c.skip[r] = true
	}
	defer func() { sortProblems(res.Problems) }()

	dt, err := os.ReadFile(file)
	if err != nil {
		c.add(0, "cannot read: %v", err)
		return res
	}

	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		c.add(errLine(err), "parse error: %v", err)
		return res
	}

	// Pass 1: the instruction parser with a linter that has every rule
	// enabled, experimental ones included.
	lint := linter.New(&linter.Config{ExperimentalAll: true, Warn: c.warn})
	for _, w := range ast.Warnings {
		if w.URL == linter.RuleNoEmptyContinuation.URL && w.Location != nil {
			lint.Run(&linter.RuleNoEmptyContinuation, []parser.Range{*w.Location}, linter.RuleNoEmptyContinuation.Format())
		}
	}
	stages, _, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		c.add(errLine(err), "instruction error: %v", err)
		return res
	}
	if len(stages) == 0 {
		c.add(0, "no build stages (no FROM instruction)")
		return res
	}
	res.Detail = fmt.Sprintf("%d stages", len(stages))
	if len(stages) == 1 {
		res.Detail = "1 stage"
	}

	// Pass 2: the rules that BuildKit runs while converting the Dockerfile
	// (UndefinedVar, JSONArgsRecommended, ...), i.e. `docker build --check`.
	c.buildCheck(dt)

	// Pass 3: our own checks.
	c.loadDockerignore()
	c.checkStages(stages)
	return res
}

// forceAllRules rewrites a "# check=..." parser directive, if any, to enable
// every rule; the line count stays the same so locations do not move.
func forceAllRules(dt []byte) []byte {
	_, _, loc, ok := parser.ParseDirective("check", dt)
	if !ok || len(loc) == 0 {
		return dt
	}
	lines := bytes.Split(dt, []byte("\n"))
	n := loc[0].Start.Line - 1
	if n < 0 || n >= len(lines) {
		return dt
	}
	lines[n] = []byte("# check=experimental=all")
	return bytes.Join(lines, []byte("\n"))
}

// buildCheck runs BuildKit's Dockerfile-to-LLB conversion for all stages,
// which is what `docker build --check` does, with an offline image resolver.
func (c *dockerfileChecker) buildCheck(dt []byte) {
	env := []string{defaultPath}
	for _, m := range baseEnvRE.FindAllSubmatch(dt, -1) {
		for _, name := range strings.Fields(string(m[1])) {
			env = append(env, name+"=deploycheck-base-env")
		}
	}
	dt = forceAllRules(dt)
	opt := dockerfile2llb.ConvertOpt{
		MetaResolver: offlineResolver{env: env},
		SourceMap:    llb.NewSourceMap(nil, c.file, "Dockerfile", dt),
		Warn:         c.warn,
		AllStages:    true,
	}
	if _, err := dockerfile2llb.Dockerfile2LLB(context.Background(), dt, opt); err != nil {
		c.add(errLine(err), "build error: %v", err)
	}
}

// offlineResolver answers BuildKit's image metadata requests without a
// registry: every image exists for the requested platform, is not empty,
// and defines only PATH plus the names declared with base-env comments.
type offlineResolver struct{ env []string }

func (r offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := platforms.DefaultSpec()
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	img := ocispecs.Image{
		Platform: p,
		Config:   ocispecs.ImageConfig{Env: r.env},
		RootFS: ocispecs.RootFS{
			Type:    "layers",
			DiffIDs: []digest.Digest{digest.FromString("deploycheck offline layer")},
		},
	}
	b, err := json.Marshal(img)
	return ref, "", b, err
}

// loadDockerignore reads FILE.dockerignore next to the Dockerfile, or
// .dockerignore in the context, the way BuildKit picks them.
func (c *dockerfileChecker) loadDockerignore() {
	for _, cand := range []string{c.file + ".dockerignore", filepath.Join(c.contextDir, ".dockerignore")} {
		f, err := os.Open(cand)
		if err != nil {
			continue
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			c.add(0, "cannot read %s: %v", cand, err)
			return
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			c.add(0, "invalid pattern in %s: %v", cand, err)
			return
		}
		c.ignore, c.ignoreFile = pm, cand
		return
	}
}

func (c *dockerfileChecker) checkStages(stages []instructions.Stage) {
	index := map[string]int{}
	for n, s := range stages {
		if s.Name == "" {
			continue
		}
		if _, dup := index[s.Name]; !dup {
			index[s.Name] = n
		}
	}
	for n, s := range stages {
		for _, cmd := range s.Commands {
			line := firstLine(cmd.Location())
			switch cmd := cmd.(type) {
			case *instructions.CopyCommand:
				if cmd.From != "" {
					c.checkFrom("COPY --from", cmd.From, n, stages, index, line)
				} else {
					c.checkSources("COPY", cmd.SourcePaths, line)
				}
			case *instructions.AddCommand:
				c.checkSources("ADD", cmd.SourcePaths, line)
			case *instructions.RunCommand:
				// Mount options other than from= are only parsed when the
				// command is expanded; keep words as written ($VARs are
				// skipped below). Errors are reported by the build check.
				if err := cmd.Expand(func(w string) (string, error) { return w, nil }); err != nil {
					continue
				}
				for _, m := range instructions.GetMounts(cmd) {
					switch {
					case m.From != "":
						c.checkFrom("RUN --mount from", m.From, n, stages, index, line)
					case m.Type == instructions.MountTypeBind && m.Source != "":
						c.checkSources("RUN --mount bind", []string{m.Source}, line)
					}
				}
			}
		}
	}
}

// checkFrom verifies that a --from / from= reference names an earlier stage
// (by name or index) or looks like an image reference.
func (c *dockerfileChecker) checkFrom(what, from string, current int, stages []instructions.Stage, index map[string]int, line int) {
	if strings.Contains(from, "$") {
		return // depends on a build argument
	}
	if n, ok := index[strings.ToLower(from)]; ok {
		switch {
		case n == current:
			c.add(line, "%s=%s refers to the stage it is in", what, from)
		case n > current:
			c.add(line, "%s=%s refers to stage %q defined later (line %d); only earlier stages can be used",
				what, from, stages[n].Name, firstLine(stages[n].Location))
		}
		return
	}
	if n, err := strconv.Atoi(from); err == nil {
		if n < 0 || n >= current {
			c.add(line, "%s=%s: stage index %d is not an earlier stage (this is stage %d)", what, from, n, current)
		}
		return
	}
	if strings.ContainsAny(from, ":/") {
		return // an image reference such as alpine:3.20 or ghcr.io/x/y
	}
	var names []string
	for name, n := range index {
		if n < current {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	earlier := "none"
	if len(names) > 0 {
		earlier = strings.Join(names, ", ")
	}
	c.add(line, "%s=%s does not name an earlier stage (earlier stages: %s) nor look like an image reference (no ':' or '/')",
		what, from, earlier)
}

func isRemoteSource(src string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://", "ssh://"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}

// checkSources verifies that build-context sources exist and are not
// excluded by the .dockerignore file.
func (c *dockerfileChecker) checkSources(what string, srcs []string, line int) {
	for _, src := range srcs {
		if strings.Contains(src, "$") || isRemoteSource(src) {
			continue
		}
		rel := filepath.Clean("/" + filepath.FromSlash(src))[1:] // context-relative
		if cl := filepath.ToSlash(filepath.Clean(filepath.FromSlash(src))); cl == ".." || strings.HasPrefix(cl, "../") {
			c.add(line, "%s source %q points outside the build context", what, src)
			continue
		}
		if rel == "" {
			rel = "."
		}
		full := filepath.Join(c.contextDir, rel)
		var matches []string
		if strings.ContainsAny(src, "*?[") {
			var err error
			matches, err = filepath.Glob(full)
			if err != nil {
				c.add(line, "%s source %q: bad pattern: %v", what, src, err)
				continue
			}
			if len(matches) == 0 {
				c.add(line, "%s source %q matches no file in build context %s", what, src, c.contextDir)
				continue
			}
		} else {
			if _, err := os.Stat(full); err != nil {
				c.add(line, "%s source %q not found in build context %s", what, src, c.contextDir)
				continue
			}
			matches = []string{full}
		}
		c.checkIgnored(what, src, matches, line)
	}
}

func (c *dockerfileChecker) checkIgnored(what, src string, matches []string, line int) {
	if c.ignore == nil {
		return
	}
	for _, m := range matches {
		rel, err := filepath.Rel(c.contextDir, m)
		if err != nil || rel == "." {
			continue
		}
		rel = filepath.ToSlash(rel)
		ignored, err := c.ignore.MatchesOrParentMatches(rel)
		if err != nil || !ignored {
			continue
		}
		if st, err := os.Stat(m); err == nil && st.IsDir() && c.ignore.Exclusions() {
			continue // "!" patterns may re-include files below it
		}
		if rel != filepath.ToSlash(filepath.Clean(src)) {
			c.add(line, "%s source %q (%s) is excluded by %s", what, src, rel, c.ignoreFile)
		} else {
			c.add(line, "%s source %q is excluded by %s", what, src, c.ignoreFile)
		}
		return
	}
}
