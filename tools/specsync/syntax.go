package main

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// parseDocument reads a YAML or JSON document, whatever its written form: a byte-order
// mark is dropped, CRLF line ends read as LF (YAML says so), and every alias is
// replaced by a copy of the node its anchor names, with merge keys (<<) merged, so that
// no later step sees an alias (an aliased tags list, say, would look empty).
func parseDocument(b []byte) (*yaml.Node, error) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if err := expandAliases(&doc, 0); err != nil {
		return nil, err
	}
	return &doc, nil
}

// maxExpandDepth bounds expansion: an alias inside the node its anchor names (which
// YAML allows) would otherwise expand without end.
const maxExpandDepth = 1000

// expandAliases replaces, in place, every alias under n by a copy of what it names,
// and every merge key by the pairs it merges (the mapping's own keys win, then the
// earlier merged mappings').
func expandAliases(n *yaml.Node, depth int) error {
	if depth > maxExpandDepth {
		return fmt.Errorf("line %d: aliases nest more than %d deep (an alias inside its own anchor?)", n.Line, maxExpandDepth)
	}
	n.Anchor = ""
	for i, c := range n.Content {
		if c.Kind == yaml.AliasNode {
			cp, err := copyBounded(c, depth)
			if err != nil {
				return err
			}
			n.Content[i] = cp
		}
		if err := expandAliases(n.Content[i], depth+1); err != nil {
			return err
		}
	}
	if n.Kind == yaml.MappingNode {
		return mergeKeys(n)
	}
	return nil
}

// copyBounded is deepCopy for a tree that may hold an alias inside its own anchor,
// which it refuses.
func copyBounded(n *yaml.Node, depth int) (*yaml.Node, error) {
	return copyAcyclic(n, depth, map[*yaml.Node]bool{})
}

func copyAcyclic(n *yaml.Node, depth int, inside map[*yaml.Node]bool) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode && inside[n.Alias] {
		return nil, fmt.Errorf("line %d: the alias *%s is inside its own anchor", n.Line, n.Value)
	}
	if depth > maxExpandDepth {
		return nil, fmt.Errorf("line %d: the document nests more than %d deep", n.Line, maxExpandDepth)
	}
	n = unalias(n)
	inside[n] = true
	defer delete(inside, n)
	c := shallowCopy(n)
	for _, child := range n.Content {
		cc, err := copyAcyclic(child, depth+1, inside)
		if err != nil {
			return nil, err
		}
		c.Content = append(c.Content, cc)
	}
	return c, nil
}

// mergeKeys replaces the merge keys (<<) of the mapping m, already expanded, by the
// pairs of the mappings they name that m lacks.
func mergeKeys(m *yaml.Node) error {
	var own, merged []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value != "<<" || (k.Tag != "!!merge" && k.Tag != "") || k.Style != 0 {
			own = append(own, k, v)
			continue
		}
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, s := range sources {
			if s.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: a merge key (<<) names something that is not a mapping", s.Line)
			}
			merged = append(merged, s.Content...)
		}
	}
	if merged == nil {
		return nil
	}
	m.Content = own
	for i := 0; i+1 < len(merged); i += 2 {
		if get(m, merged[i].Value) == nil {
			m.Content = append(m.Content, merged[i], merged[i+1])
		}
	}
	return nil
}
