// Command specsync regenerates api/openapi.yaml from Tailscale's published OpenAPI
// document: it keeps the user-invites operations and what they reference, converts them
// from OpenAPI 3.1 to 3.0.3, applies our overlay (api/overlay.yaml), validates the
// result, writes it, and prints what changed against the previous api/openapi.yaml,
// breaking changes marked. Run it with "make spec UPSTREAM=path/to/tailscale.yaml".
//
// It is a module of its own (tools/specsync/go.mod), apart from the SDK and from the
// generator's tools module: see the README's "Regenerating" section.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("specsync", flag.ContinueOnError)
	fl.SetOutput(stderr)
	upstreamPath := fl.String("upstream", "", "Tailscale's full OpenAPI document (YAML or JSON)")
	overlayPath := fl.String("overlay", "api/overlay.yaml", "our OpenAPI Overlay document (1.0 or 1.1)")
	outPath := fl.String("out", "api/openapi.yaml", "the document to write")
	extractionPath := fl.String("extraction", "", "where to keep upstream's operations before the overlay (api/upstream.yaml); none if empty")
	tag := fl.String("tag", "UserInvites", "keep the operations with this tag")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *upstreamPath == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: specsync -upstream tailscale-openapi.yaml [-overlay api/overlay.yaml] [-out api/openapi.yaml] [-extraction api/upstream.yaml]")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "specsync: %v\n%s left unchanged.\n", err, *outPath)
		return 1
	}
	upstream, err := os.ReadFile(*upstreamPath)
	if err != nil {
		return fail(err)
	}
	ov, err := os.ReadFile(*overlayPath)
	if err != nil {
		return fail(err)
	}
	readPrevious := func(path string) ([]byte, error) {
		if path == "" {
			return nil, nil
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return b, err
	}
	previous, err := readPrevious(*outPath)
	if err != nil {
		return fail(err)
	}
	previousExtraction, err := readPrevious(*extractionPath)
	if err != nil {
		return fail(err)
	}
	res, err := Build(ctx, upstream, ov, *tag)
	if err != nil {
		return fail(err)
	}
	var report, upstreamReport *Report
	if previous != nil {
		if report, err = Compare(previous, res.Doc); err != nil {
			return fail(fmt.Errorf("compare with the previous %s: %w", *outPath, err))
		}
	}
	if previousExtraction != nil {
		if upstreamReport, err = Compare(previousExtraction, res.Extraction); err != nil {
			return fail(fmt.Errorf("compare with the previous %s: %w", *extractionPath, err))
		}
	}
	if *extractionPath != "" {
		if err := os.WriteFile(*extractionPath, res.Extraction, 0o644); err != nil {
			return fail(err)
		}
	}
	if err := os.WriteFile(*outPath, res.Doc, 0o644); err != nil {
		return fail(err)
	}

	fmt.Fprintf(stdout, "Kept %d operations tagged %s: %s\n", len(res.Operations), *tag, strings.Join(res.Operations, ", "))
	if len(res.Converted) > 0 {
		fmt.Fprintf(stdout, "\nConverted from OpenAPI 3.1 to 3.0.3 (before the overlay):\n")
		for _, c := range res.Converted {
			fmt.Fprintf(stdout, "  %s\n", c)
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stdout, "overlay warning: %s\n", w)
	}
	fmt.Fprintln(stdout)
	switch {
	case previous == nil:
		fmt.Fprintf(stdout, "Wrote %s (there was no previous one to compare with).\n", *outPath)
	default:
		fmt.Fprintf(stdout, "Wrote %s. Changes against the previous one:\n", *outPath)
		report.Write(stdout)
	}
	if upstreamReport != nil {
		fmt.Fprintf(stdout, "\nUpstream's own changes to these operations, before the overlay (%s); a change\nthe overlay replaces shows here only:\n", *extractionPath)
		upstreamReport.WriteExcept(stdout, report)
	}
	fmt.Fprintln(stdout, "\nNext: make generate && make check")
	return 0
}
