package main

import (
	"strings"
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	t.Parallel()
	now := testNow
	tests := []struct {
		before time.Duration
		want   string
	}{
		{0, "just now"},
		{-time.Hour, "just now"}, // a clock ahead of ours
		{59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{time.Hour, "1 hour ago"},
		{23*time.Hour + 59*time.Minute, "23 hours ago"},
		{24 * time.Hour, "1 day ago"},
		{29 * 24 * time.Hour, "29 days ago"},
		{30 * 24 * time.Hour, "2026-10-26"},
	}
	for _, tt := range tests {
		if got := ago(now.Add(-tt.before), now); got != tt.want {
			t.Errorf("ago(now - %s) = %q, want %q", tt.before, got, tt.want)
		}
	}
	if got := ago(time.Time{}, now); got != "never" {
		t.Errorf("ago(zero) = %q, want never", got)
	}
}

// TestCSVCellsAreNotFormulas: a cell that a spreadsheet would run as a formula is
// written as text, whatever its place in the row; other cells are left alone.
func TestCSVCellsAreNotFormulas(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := newCSVWriter(&b)
	if err := w.Write([]string{"1", "=HYPERLINK(\"http://x\")@example.com", "+1@example.com", "-x@example.com", "@a", "\tx", "member", "", "a=b@example.com"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	// The tab is a control character: its cell is quoted too.
	want := "1,\"'=HYPERLINK(\"\"http://x\"\")@example.com\",'+1@example.com,'-x@example.com,'@a,\"'\tx\",member,,a=b@example.com\n"
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
