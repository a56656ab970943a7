package main

import (
	"os"
	"strings"
	"testing"
)

// TestSharingDevicesInREADME runs the worked example of the README's section "Sharing
// devices" against the sample fake (what --fake serves): its file is
// examples/shares.csv, and its plan is the README's, line for line.
func TestSharingDevicesInREADME(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(b), "\n## Sharing devices\n")
	_, block, _ := strings.Cut(section, "```\n$ cat shares.csv\n")
	block, _, _ = strings.Cut(block, "```\n")
	file, rest, _ := strings.Cut(block, "$ ")
	command, output, _ := strings.Cut(rest, "\n")
	if !strings.HasPrefix(command, "tsinvites --fake shares plan -f shares.csv ") {
		t.Fatalf("the README's example is not a file and a shares plan:\n%s", block)
	}
	example, err := os.ReadFile("../../examples/shares.csv")
	if err != nil || string(example) != file {
		t.Errorf("the README's shares.csv is not examples/shares.csv (%v):\n%s", err, file)
	}
	_, vars := sampleServer(t)
	args := strings.Fields(command)[2:] // without tsinvites --fake: the sample server is what --fake serves
	args[3] = "-"                       // the file, from stdin
	got := invocation{args: append(args, "-o", "table"), stdin: file, vars: vars}.run(t)
	if got.code != exitOK || got.stdout != output {
		t.Errorf("%s: exit %d\n%s\nwant the README's\n%s\nstderr:\n%s", command, got.code, got.stdout, output, got.stderr)
	}
}
