package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tsinvites/tsinvites"
)

// versionOptions are version's inputs: it has no flags of its own.
type versionOptions struct{ *options }

func newVersionCommand(o *options) *cobra.Command {
	opts := &versionOptions{options: o}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and build information",
		Example: `  tsinvites version
  tsinvites --version
  tsinvites version -o json`,
		Args: noArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return versionRun(opts)
		},
	}
}

// versionRun prints the version: as text unless -o json was asked for.
func versionRun(opts *versionOptions) error {
	v := readBuildInfo()
	if opts.outputChosen && opts.output == "json" { // text unless asked: "tsinvites <Version>" first
		return opts.printer().json(v)
	}
	_, err := io.WriteString(opts.env.stdout, v.text())
	return err
}

// buildInfo is what version prints.
type buildInfo struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	Module   string `json:"module,omitempty"`
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
}

// readBuildInfo is the program's version and what the Go toolchain recorded of its build.
func readBuildInfo() buildInfo {
	v := buildInfo{Version: tsinvites.Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.Go = bi.GoVersion
		if bi.Main.Path != "" {
			v.Module = bi.Main.Path + " " + bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	return v
}

// text is the version's text form, "tsinvites <Version>" first, a line for each fact.
func (v buildInfo) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tsinvites %s\n", v.Version)
	fmt.Fprintf(&b, "%s %s\n", v.Go, v.Platform)
	if v.Module != "" {
		fmt.Fprintf(&b, "module %s\n", v.Module)
	}
	if v.Revision != "" {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(&b, "revision %s%s\n", v.Revision, mod)
	}
	return b.String()
}
