package main

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pathElem is one step into a YAML tree: a mapping key, or a sequence index
// when key is empty.
type pathElem struct {
	key   string
	index int
}

func keyElem(key string) pathElem { return pathElem{key: key, index: -1} }
func idxElem(index int) pathElem  { return pathElem{index: index} }

var pathTokenRE = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

// parsePath turns "spec.containers[0].name" into path elements. Keys that
// contain dots cannot be expressed; callers that know such keys build the
// path with keyElem() and idxElem() instead.
func parsePath(s string) []pathElem {
	var out []pathElem
	for _, m := range pathTokenRE.FindAllStringSubmatch(s, -1) {
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			out = append(out, idxElem(n))
		} else {
			out = append(out, keyElem(m[1]))
		}
	}
	return out
}

// parseYAMLNode parses one YAML document into a node tree; nil on error.
func parseYAMLNode(data []byte) *yaml.Node {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil
	}
	return &n
}

// lineOf returns the line of the deepest node along path that exists
// (so a missing leaf reports the line of its parent), or 0 when root is nil.
// For a mapping key the line of the key is used.
func lineOf(root *yaml.Node, path ...pathElem) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		next := (*yaml.Node)(nil)
		switch {
		case p.key != "" && n.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == p.key {
					line = n.Content[j].Line
					next = n.Content[j+1]
					break
				}
			}
		case p.key == "" && n.Kind == yaml.SequenceNode:
			if p.index >= 0 && p.index < len(n.Content) {
				next = n.Content[p.index]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// lineOfDotted is lineOf for a path string such as "spec.replicas".
func lineOfDotted(root *yaml.Node, path string) int {
	return lineOf(root, parsePath(strings.TrimSpace(path))...)
}
