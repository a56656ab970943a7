package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/textsafe"
)

// yamlErrLine matches the line the YAML parser puts in its errors.
var yamlErrLine = regexp.MustCompile(`^yaml: line ([0-9]+): `)

// readYAML reads the items of a YAML file, one document holding a list of mappings. It
// walks the parsed nodes and refuses aliases, so the work stays in proportion to the
// input.
func (c *itemChecker) readYAML(data []byte) {
	list := c.yamlList(data)
	if list == nil {
		return
	}
	n := 0 // the invites to check: one a mapping
	for _, item := range list.Content[:min(len(list.Content), MaxInvites)] {
		if item.Kind == yaml.MappingNode {
			n++
		}
	}
	c.list, c.meta = make([]tsinvites.CreateUserInviteRequest, 0, n), make([]meta, 0, n)
	for _, item := range list.Content {
		if c.tooMany(item.Line) {
			break
		}
		if item.Kind != yaml.MappingNode {
			c.report(item.Line, "the item is %s; want a mapping, like %s", kindOf{item}, c.kind.yamlItem) // said only if shown
			continue
		}
		c.yamlItem(item)
	}
}

// yamlList parses data, which must be one YAML document holding a list that is not
// empty, and returns the list; or nil, having reported why not.
func (c *itemChecker) yamlList(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		c.report(1, "no %s: the file is empty; %s", c.kind.noun, c.kind.yamlExample)
		return nil
	case err != nil:
		c.yamlError(err)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		c.report(extra.Line, "a second YAML document (after ---); want one list of %s", c.kind.noun)
		return nil
	case !errors.Is(err, io.EOF):
		c.yamlError(err)
		return nil
	}
	if len(doc.Content) != 1 { // the parser makes one child, but be sure
		c.report(doc.Line, "no %s: the file is empty; %s", c.kind.noun, c.kind.yamlExample)
		return nil
	}
	list := doc.Content[0]
	switch {
	case list.Kind == yaml.ScalarNode && list.ShortTag() == "!!null":
		c.report(list.Line, "no %s: the file is empty; %s", c.kind.noun, c.kind.yamlExample)
	case list.Kind != yaml.SequenceNode:
		c.report(list.Line, "the file is %s; %s", yamlKind(list), c.kind.yamlExample)
	case len(list.Content) == 0:
		c.report(list.Line, "no %s: the list is empty", c.kind.noun)
	default:
		return list
	}
	return nil
}

// yamlItem checks one item of the list, a mapping.
func (c *itemChecker) yamlItem(item *yaml.Node) {
	var fields []field
	var msgs []string
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			msgs = append(msgs, fmt.Sprintf("a key is %s; want email or role", yamlKind(k)))
			continue
		}
		f := field{key: k.Value}
		switch {
		case v.Kind != yaml.ScalarNode:
			f.bad = fmt.Sprintf("%s is %s; want text", textsafe.Shorten(k.Value, 40), yamlKind(v))
		case v.ShortTag() != "!!null":
			f.value = v.Value
		}
		fields = append(fields, f)
	}
	c.item(item.Line, fields, msgs...)
}

// yamlError reports an error of the YAML parser, on its line when it names one.
func (c *itemChecker) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			line = n
		}
		msg = msg[len(m[0]):]
	}
	c.report(line, "%s (not valid YAML)", strings.TrimPrefix(msg, "yaml: "))
}

// kindOf names the kind of a node when formatted (%s), as yamlKind does: only when the
// message is made.
type kindOf struct{ n *yaml.Node }

func (k kindOf) String() string { return yamlKind(k.n) }

// yamlKind names the kind of a YAML node for a message.
func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return fmt.Sprintf("an alias (*%s; aliases are not supported)", textsafe.Escape(n.Value))
	case yaml.ScalarNode:
		return fmt.Sprintf("a single value (%s)", quoted(n.Value))
	}
	return "not a list, mapping or value"
}
