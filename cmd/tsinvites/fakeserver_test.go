package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFakeServerExportQuoted: the export line fake-server prints quotes a token that a
// shell would otherwise run (issue 20, item 13): eval'ed by sh it sets
// TAILSCALE_API_KEY to the token itself and runs nothing.
func TestFakeServerExportQuoted(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to eval the export line with")
	}
	ran := filepath.Join(t.TempDir(), "ran")
	token := "tskey-api-fake-$(touch " + ran + ")`touch " + ran + "`'; touch " + ran + " #"
	lines, stop := startFakeServer(t, 2, "--token", token)
	script := strings.Join(lines, "\n") + "\n" + `printf %s "$TAILSCALE_API_KEY"`
	out, err := exec.CommandContext(t.Context(), sh, "-c", script).Output()
	if err != nil {
		t.Errorf("sh -c of the printed lines: %v", err)
	}
	if string(out) != token {
		t.Errorf("TAILSCALE_API_KEY after eval = %q, want the token %q; lines:\n%s", out, token, strings.Join(lines, "\n"))
	}
	if _, err := os.Stat(ran); err == nil {
		t.Errorf("eval of the printed lines ran a command held in the token; lines:\n%s", strings.Join(lines, "\n"))
	}
	if code := stop(); code != exitOK {
		t.Errorf("fake-server exit %d", code)
	}
}

// startFakeServer runs fake-server on a free loopback port with args, and returns the
// first n lines it prints (the rest are read and dropped) and a stop that ends it and
// returns its exit code.
func startFakeServer(t *testing.T, n int, args ...string) (lines []string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		defer pw.Close()
		done <- run(ctx, append([]string{"fake-server", "--listen", "127.0.0.1:0"}, args...), &env{
			stdin: strings.NewReader(""), stdout: pw, stderr: &lockedWriter{w: io.Discard},
			getenv: func(string) string { return "" }, now: func() time.Time { return testNow },
		})
	}()
	sc := bufio.NewScanner(pr)
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return lines, func() int { cancel(); return <-done }
}

// TestFakeServerTokenControlCharacters: a --token holding a line break (which would end
// the printed comment and run the rest) or another control character is refused: exit 2.
func TestFakeServerTokenControlCharacters(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"tskey-a\ntouch x", "tskey-a\rb", "tskey-a\x00b"} {
		if got := cli(t, nil, "fake-server", "--listen", "127.0.0.1:0", "--token", tok); got.code != exitUsage {
			t.Errorf("--token %q: exit %d, want %d; stderr %q", tok, got.code, exitUsage, got.stderr)
		}
	}
}
