// Command specsync regenerates api/openapi.yaml from Tailscale's published OpenAPI
// document: it keeps the user-invites operations, replaces every $ref in them by what
// it points to (so that the names upstream gives its components do not matter),
// converts them from OpenAPI 3.1 to 3.0.3, applies our overlay (api/overlay.yaml, which
// gives the components our names), validates the result, and prints what changed
// against the previous api/openapi.yaml and api/upstream.yaml, breaking changes marked.
// It writes the two files unless a change is breaking and -accept-breaking is not given.
// Run it with "make spec UPSTREAM=path/to/tailscale.yaml".
//
// Breaking is what oasdiff rates so (see Compare) in either file, what breaks Go callers
// of the generated code (see GoChanges: a changed method signature, a moved server
// path, a name gone), and every overlay action that matched nothing (it is skipped when
// breaking changes are accepted).
//
// Exit codes: 0 written (or nothing to write); 1 an error, nothing written; 2 bad
// usage; 3 breaking changes not accepted, nothing written.
//
// It is a module of its own (tools/specsync/go.mod), apart from the SDK and from the
// generator's tools module: see the README's "Regenerating" section.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// Exit codes.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitBreaking = 3
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// options are run's flags.
type options struct {
	upstreamPath, overlayPath, outPath, extractionPath, sdkDir string
	sel                                                        Selection
	acceptBreaking                                             bool
}

// parseFlags reads run's flags; on a usage error it returns false, having said so.
func parseFlags(args []string, stderr io.Writer) (options, bool) {
	var o options
	fl := flag.NewFlagSet("specsync", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&o.upstreamPath, "upstream", "", "Tailscale's full OpenAPI document (YAML or JSON)")
	fl.StringVar(&o.overlayPath, "overlay", "api/overlay.yaml", "our OpenAPI Overlay document (1.0 or 1.1)")
	fl.StringVar(&o.outPath, "out", "api/openapi.yaml", "the document to write")
	fl.StringVar(&o.extractionPath, "extraction", "", "where to keep upstream's operations before the overlay (api/upstream.yaml); none if empty")
	var tags, operations listFlag
	fl.Var(&tags, "tag", "keep the operations with this tag (repeatable; UserInvites if neither -tag nor -operation is given)")
	fl.Var(&operations, "operation", "keep the operation with this operationId too (repeatable)")
	fl.BoolVar(&o.acceptBreaking, "accept-breaking", false, "write the files even if a change is breaking")
	fl.StringVar(&o.sdkDir, "sdk", "", "the directory of the SDK's hand-written Go files (the wrapper), for the report on how new parameters reach users")
	if err := fl.Parse(args); err != nil {
		return o, false
	}
	if o.upstreamPath == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: specsync -upstream tailscale-openapi.yaml [-overlay api/overlay.yaml] [-out api/openapi.yaml] [-extraction api/upstream.yaml] [-sdk .] [-tag T]... [-operation ID]... [-accept-breaking]")
		return o, false
	}
	if len(tags) == 0 && len(operations) == 0 {
		tags = listFlag{"UserInvites"}
	}
	o.sel = Selection{Tags: tags, Operations: operations}
	return o, true
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, ok := parseFlags(args, stderr)
	if !ok {
		return exitUsage
	}
	files := o.outPath
	if o.extractionPath != "" {
		files += " and " + o.extractionPath
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "specsync: %v\n%s left unchanged.\n", err, files)
		return exitError
	}
	upstream, ov, previous, previousExtraction, err := readInputs(o)
	if err != nil {
		return fail(err)
	}
	res, err := Build(ctx, upstream, ov, o.sel)
	if err != nil {
		explainFailure(stdout, err, upstream, previousExtraction, o.extractionPath)
		return fail(err)
	}
	report, upstreamReport, err := compareAll(previous, previousExtraction, res, o.outPath, o.extractionPath, o.sdkDir)
	if err != nil {
		return fail(err)
	}
	printReport(stdout, res, o.sel, report, upstreamReport, o.outPath, o.extractionPath, o.overlayPath)
	if added := addedOperations(previous, res.Extraction); len(added) > 0 {
		fmt.Fprintf(stdout, "\nOperations added to %s: %s\n", o.outPath, strings.Join(added, ", "))
	}
	breaking := countBreaking(report, upstreamReport, res)
	if breaking > 0 && !o.acceptBreaking {
		fmt.Fprintf(stdout, "\n%d BREAKING change(s) above: %s left unchanged.\n", breaking, files)
		if len(res.Gone) > 0 {
			fmt.Fprintf(stderr, "specsync: %d overlay action(s) matched nothing:\n  %s\n"+
				"Upstream moved, renamed or dropped what they are about: edit each in %s so that its\n"+
				"target matches upstream's document again, or remove it if what it changed is gone.\n",
				len(res.Gone), strings.Join(res.Gone, "\n  "), o.overlayPath)
		}
		fmt.Fprintf(stderr, "specsync: %d breaking change(s), not accepted: %s left unchanged.\n"+
			"Read the report; to write the files anyway, run again with -accept-breaking.\n", breaking, files)
		return exitBreaking
	}
	wrote, err := writeFiles([]output{{o.extractionPath, previousExtraction, res.Extraction}, {o.outPath, previous, res.Doc}})
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout)
	switch {
	case len(wrote) == 0:
		fmt.Fprintf(stdout, "%s already say this: nothing written.\n", files)
		return exitOK
	case breaking > 0:
		fmt.Fprintf(stdout, "Wrote %s, with %d breaking change(s) accepted.\n", strings.Join(wrote, " and "), breaking)
	default:
		fmt.Fprintf(stdout, "Wrote %s.\n", strings.Join(wrote, " and "))
	}
	fmt.Fprintln(stdout, "Next: make generate && make check")
	return exitOK
}

// explainFailure says, before Build's error is printed, what upstream changed that may
// cause it: for an operationId gone, where it was and what is there now (into the
// error); for a failure after the extraction was made (overlay actions that match
// nothing, a result that is not valid), upstream's own changes since the previous
// extraction, which show a rename where the overlay's failures show only its effects.
func explainFailure(stdout io.Writer, err error, upstream, previousExtraction []byte, extractionPath string) {
	var missing *MissingOperationError
	if errors.As(err, &missing) {
		if doc, perr := parseDocument(upstream); perr == nil {
			missing.FindSuccessor(previousExtraction, doc)
		}
	}
	var extracted *ExtractedError
	if !errors.As(err, &extracted) || previousExtraction == nil {
		return
	}
	report, cerr := Compare(previousExtraction, extracted.Extraction)
	if cerr != nil {
		fmt.Fprintf(stdout, "Upstream's own changes since %s cannot be shown: %v\n\n", extractionPath, cerr)
		return
	}
	fmt.Fprintf(stdout, "Upstream's own changes to these operations since %s (before the overlay); the\nfailure below may come from them:\n", extractionPath)
	report.Write(stdout)
	fmt.Fprintln(stdout)
}

// compareAll compares the new files with the previous ones (nil: none), the document
// with oasdiff and for Go callers, the extraction with oasdiff.
func compareAll(previous, previousExtraction []byte, res *Result, outPath, extractionPath, sdkDir string) (report, upstreamReport *Report, err error) {
	if previous != nil {
		if report, err = Compare(previous, res.Doc); err != nil {
			return nil, nil, fmt.Errorf("compare with the previous %s: %w", outPath, err)
		}
		goChanges, err := GoChanges(previous, res.Doc, sdkDir)
		if err != nil {
			return nil, nil, fmt.Errorf("compare with the previous %s: %w", outPath, err)
		}
		report.Changes = append(report.Changes, goChanges...)
	}
	if previousExtraction != nil {
		if upstreamReport, err = Compare(previousExtraction, res.Extraction); err != nil {
			return nil, nil, fmt.Errorf("compare with the previous %s: %w", extractionPath, err)
		}
	}
	return report, upstreamReport, nil
}

// printReport prints what Build did and what changed (a nil report: no previous file).
func printReport(stdout io.Writer, res *Result, sel Selection, report, upstreamReport *Report, outPath, extractionPath, overlayPath string) {
	fmt.Fprintf(stdout, "Kept %d operations %s: %s\n", len(res.Operations), sel, strings.Join(res.Operations, ", "))
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
	if report == nil {
		fmt.Fprintf(stdout, "There is no previous %s to compare with.\n", outPath)
	} else {
		fmt.Fprintf(stdout, "Changes to %s:\n", outPath)
		report.Write(stdout)
	}
	if upstreamReport != nil {
		fmt.Fprintf(stdout, "\nUpstream's own changes to these operations, before the overlay (%s); a change\nthe overlay replaces shows here only:\n", extractionPath)
		upstreamReport.WriteExcept(stdout, report)
	}
	if len(res.Gone) > 0 {
		fmt.Fprintf(stdout, "\nOverlay actions that matched nothing, skipped (upstream moved or dropped what they\nare about: edit %s):\n", overlayPath)
		for _, g := range res.Gone {
			fmt.Fprintf(stdout, "  BREAKING %s\n", g)
		}
	}
}

// countBreaking counts the breaking changes of both reports, a change both list once,
// and the overlay actions that matched nothing.
func countBreaking(report, upstreamReport *Report, res *Result) int {
	breaking := len(report.Breaking()) + len(res.Gone)
	for _, c := range upstreamReport.Breaking() {
		if report == nil || !slices.Contains(report.Changes, c) {
			breaking++
		}
	}
	return breaking
}

// output is a file to write: its path ("" for none), its previous content (nil for
// none) and the new.
type output struct {
	path      string
	old, data []byte
}

// writeFiles writes each output whose content changed, and returns the paths written.
func writeFiles(outs []output) ([]string, error) {
	var wrote []string
	for _, f := range outs {
		if f.path == "" || (f.old != nil && bytes.Equal(f.old, f.data)) {
			continue
		}
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return wrote, err
		}
		wrote = append(wrote, f.path)
	}
	return wrote, nil
}

// readInputs reads the upstream document, the overlay, and the previous output files
// (nil when there is none).
func readInputs(o options) (upstream, ov, previous, previousExtraction []byte, err error) {
	if upstream, err = os.ReadFile(o.upstreamPath); err != nil {
		return nil, nil, nil, nil, err
	}
	if ov, err = os.ReadFile(o.overlayPath); err != nil {
		return nil, nil, nil, nil, err
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
	if previous, err = readPrevious(o.outPath); err != nil {
		return nil, nil, nil, nil, err
	}
	if previousExtraction, err = readPrevious(o.extractionPath); err != nil {
		return nil, nil, nil, nil, err
	}
	return upstream, ov, previous, previousExtraction, nil
}

// addedOperations lists the operations of the new extraction that the previous document
// (nil: none) does not have, as "operationId (METHOD path)", in document order.
func addedOperations(previous, extraction []byte) []string {
	had := operationsOf(previous)
	var added []string
	for _, op := range operationsOf(extraction) {
		if !slices.ContainsFunc(had, func(h [2]string) bool { return h[0] == op[0] }) {
			added = append(added, op[0]+" ("+op[1]+")")
		}
	}
	return added
}

// operationsOf returns the operationId and "METHOD path" of each operation of the
// document; none when it is nil or does not parse.
func operationsOf(doc []byte) [][2]string {
	if doc == nil {
		return nil
	}
	parsed, err := parseDocument(doc)
	if err != nil {
		return nil
	}
	_, paths, _, err := upstreamRoot(parsed)
	if err != nil {
		return nil
	}
	var ops [][2]string
	for i := 0; i+1 < len(paths.Content); i += 2 {
		for _, m := range methods {
			if id := get(get(paths.Content[i+1], m), "operationId"); id != nil {
				ops = append(ops, [2]string{id.Value, strings.ToUpper(m) + " " + paths.Content[i].Value})
			}
		}
	}
	return ops
}
