package main

import (
	"os"
	"strings"
	"testing"
)

// readmeSection is the README's text from the line heading (say "### Scheduled jobs
// (CI)") to the next "## " heading; the test fails if it has no such line.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut("\n"+string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// readmeExample is the worked example of the README's section heading: a code block
// "$ cat NAME", the file, then "$ COMMAND" and its output.
func readmeExample(t *testing.T, heading, name string) (file, command, output string) {
	t.Helper()
	_, block, _ := strings.Cut(readmeSection(t, heading), "```\n$ cat "+name+"\n")
	block, _, _ = strings.Cut(block, "```\n")
	file, rest, _ := strings.Cut(block, "$ ")
	command, output, _ = strings.Cut(rest, "\n")
	return file, command, output
}
