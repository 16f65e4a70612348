// Command deploycheck validates tracebee's deployment files offline with the
// real parsers used by Docker BuildKit, docker compose and Kubernetes:
//
//	deploycheck --context DIR dockerfile FILE...
//	deploycheck compose FILE...
//	deploycheck kubernetes FILE...
//
// Every problem is printed as "FILE:LINE: message" (or "FILE: message" when
// the line is unknown), followed by a one-line summary per file. The exit
// code is 1 when any problem was found, 2 on usage errors, 0 otherwise.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Problem is one finding in one file.
type Problem struct {
	File string
	Line int // 0 when unknown
	Msg  string
}

// String formats the problem as one line: "FILE:LINE: message".
func (p Problem) String() string {
	msg := strings.Join(strings.Fields(p.Msg), " ") // multi-line library errors
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, msg)
	}
	return fmt.Sprintf("%s: %s", p.File, msg)
}

// FileResult is what a checker found in one file.
type FileResult struct {
	File     string
	Problems []Problem
	// Detail is the summary text without the problem count,
	// e.g. "3 stages" or "5 documents".
	Detail string
}

func (r FileResult) summary() string {
	status := "ok"
	if len(r.Problems) > 0 {
		status = "FAIL"
	}
	noun := "problems"
	if len(r.Problems) == 1 {
		noun = "problem"
	}
	if r.Detail == "" {
		return fmt.Sprintf("%s %s: %d %s", status, r.File, len(r.Problems), noun)
	}
	return fmt.Sprintf("%s %s: %s, %d %s", status, r.File, r.Detail, len(r.Problems), noun)
}

// sortProblems orders problems by line, keeping the order of equal lines.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}

const usage = `usage:
  deploycheck --context DIR [--skip-rules R1,R2] dockerfile FILE...
                                                  check Dockerfiles (COPY/ADD sources relative to DIR)
  deploycheck compose FILE...                     check docker compose files
  deploycheck kubernetes FILE...                  check Kubernetes YAML (multi-document)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without os.Exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deploycheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	contextDir := fs.String("context", ".", "build context directory for the dockerfile check")
	skipRules := fs.String("skip-rules", "", "comma-separated BuildKit lint rules not to report (dockerfile check)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) < 2 {
		fs.Usage()
		return 2
	}
	mode, files := rest[0], rest[1:]

	var results []FileResult
	switch mode {
	case "dockerfile":
		if st, err := os.Stat(*contextDir); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "deploycheck: --context %s is not a directory\n", *contextDir)
			return 2
		}
		var skip []string
		for _, r := range strings.Split(*skipRules, ",") {
			if r = strings.TrimSpace(r); r != "" {
				skip = append(skip, r)
			}
		}
		for _, f := range files {
			results = append(results, CheckDockerfile(f, *contextDir, skip...))
		}
	case "compose":
		for _, f := range files {
			results = append(results, CheckCompose(f))
		}
	case "kubernetes", "k8s":
		results = CheckKubernetes(files)
	default:
		fmt.Fprintf(stderr, "deploycheck: unknown mode %q\n", mode)
		fs.Usage()
		return 2
	}

	failed := false
	for _, r := range results {
		for _, p := range r.Problems {
			fmt.Fprintln(stdout, p.String())
		}
	}
	for _, r := range results {
		if len(r.Problems) > 0 {
			failed = true
		}
		fmt.Fprintln(stdout, r.summary())
	}
	if failed {
		return 1
	}
	return 0
}
