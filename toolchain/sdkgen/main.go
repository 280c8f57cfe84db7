// Command pulumi-intune-sdkgen generates the Node.js, Python and Go SDKs of the
// intune provider from its schema.json.
//
// It exists because `pulumi package gen-sdk` delegates code generation to the
// per-language plugins (pulumi-language-python, pulumi-language-go, ...), which
// the Pulumi CLI built by ensure-pulumi.sh does not include. The generators
// themselves are plain Go packages in github.com/pulumi/pulumi/pkg/v3/codegen,
// pinned here at the CLI's release (toolchain/pulumi/go.mod), so this tool calls
// them directly: no plugins, no network, same generator version as the CLI.
//
//	pulumi-intune-sdkgen -schema schema.json -language nodejs|python|go -out DIR [-version X.Y.Z]
//
// DIR is emptied and filled with the SDK only after generation has succeeded.
// Any schema diagnostic (error or warning) or generator error is fatal: one
// line on stderr, exit status 1 (2 for usage errors).
//
// For Go, the SDK gets a go.mod at DIR (module path = importBasePath without
// its last element, which is the root package directory the generator writes)
// requiring github.com/pulumi/pulumi/sdk/v3 at the version this tool was built
// against; run `go mod tidy` in DIR to get the go.sum.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/blang/semver"
	"github.com/hashicorp/hcl/v2"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"golang.org/x/mod/modfile"
)

// tool is the name the generators write into the "do not edit" headers.
const tool = "pulumi-intune-sdkgen"

const sdkModule = "github.com/pulumi/pulumi/sdk/v3"

func main() {
	log := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s: %s\n", tool, oneLine(fmt.Sprintf(format, args...)))
	}
	fs := flag.NewFlagSet(tool, flag.ContinueOnError)
	schemaPath := fs.String("schema", "", "path of the package schema (JSON)")
	language := fs.String("language", "", "SDK to generate: nodejs, python or go")
	out := fs.String("out", "", "output directory (emptied first)")
	version := fs.String("version", "", "package version X.Y.Z, overriding the schema's \"version\"")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *schemaPath == "" || *language == "" || *out == "" || fs.NArg() != 0 {
		log("usage: %s -schema schema.json -language nodejs|python|go -out DIR [-version X.Y.Z]", tool)
		os.Exit(2)
	}
	if err := run(*schemaPath, *language, *out, *version); err != nil {
		log("%v", err)
		os.Exit(1)
	}
}

func run(schemaPath, language, out, version string) error {
	switch language {
	case "nodejs", "python", "go":
	default:
		return fmt.Errorf("-language %q: want nodejs, python or go", language)
	}
	if err := checkOut(out, schemaPath); err != nil {
		return err
	}

	pkg, err := loadSchema(schemaPath, version)
	if err != nil {
		return err
	}

	var files map[string][]byte
	switch language {
	case "nodejs":
		files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, false, noPlugins{})
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, noPlugins{})
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
		if err == nil {
			err = addGoMod(pkg, files)
		}
	}
	if err != nil {
		return fmt.Errorf("generating the %s SDK: %w", language, err)
	}
	if err := writeFiles(out, files); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: wrote the %s SDK of %s %v (%d files) to %s\n",
		tool, language, pkg.Name, pkg.Version, len(files), out)
	return nil
}

// loadSchema reads and binds the schema, failing on any diagnostic.
func loadSchema(schemaPath, version string) (*schema.Package, error) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	dec := json.NewDecoder(bytes.NewReader(data))
	// Binding re-marshals the spec before validating it against the metaschema,
	// so a misspelt key would silently vanish; reject it here instead.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("%s: not a Pulumi package schema: %w", schemaPath, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: trailing data after the schema object", schemaPath)
	}
	if version != "" {
		v, err := semver.Parse(version)
		if err != nil {
			return nil, fmt.Errorf("-version %q: %w", version, err)
		}
		spec.Version = v.String()
	}
	if spec.Version == "" {
		return nil, fmt.Errorf("%s: no \"version\" (set it in the schema or pass -version)", schemaPath)
	}

	pkg, diags, err := schema.BindSpec(spec, noPlugins{}, schema.ValidationOptions{})
	if len(diags) > 0 {
		return nil, fmt.Errorf("%s: %s", schemaPath, formatDiags(diags))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: binding the schema: %w", schemaPath, err)
	}
	return pkg, nil
}

func formatDiags(diags hcl.Diagnostics) string {
	msgs := make([]string, 0, len(diags))
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		m := d.Summary
		if d.Detail != "" && d.Detail != d.Summary {
			m += " (" + d.Detail + ")"
		}
		msgs = append(msgs, sev+": "+m)
	}
	s := "s"
	if len(msgs) == 1 {
		s = ""
	}
	return fmt.Sprintf("%d schema diagnostic%s: %s", len(msgs), s, strings.Join(msgs, "; "))
}

// noPlugins is a schema loader for a self-contained schema: every request for
// another package (an external type reference or a dependency) is an error,
// where the CLI's loader would download and start that package's plugin.
type noPlugins struct{}

var _ schema.ReferenceLoader = noPlugins{}

func refused(name string) error {
	return fmt.Errorf("the schema refers to package %q; %s loads no other packages "+
		"(only self-contained schemas and pulumi.json# builtins are supported)", name, tool)
}

func (noPlugins) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, refused(pkg)
}

func (noPlugins) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, refused(d.Name)
}

func (noPlugins) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, refused(pkg)
}

func (noPlugins) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, refused(d.Name)
}

// addGoMod makes the generated Go SDK a module of its own, requiring the
// sdk/v3 this tool was built with. The generator writes a go.mod only for
// "supportPack" schemas, and then pins an older sdk/v3 than ours; either way
// the go.mod written here replaces it.
func addGoMod(pkg *schema.Package, files map[string][]byte) error {
	info, _ := pkg.Language["go"].(gogen.GoPackageInfo) // imported by GeneratePackage
	base := info.ImportBasePath
	if base == "" {
		base = gogen.ExtractImportBasePath(pkg.Reference())
	}
	// Every .go file lives under the root package directory; the module root
	// (DIR) is its parent, so the module path is importBasePath minus that.
	root := ""
	for name := range files {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		dir, _, _ := strings.Cut(name, "/")
		if dir == name || (root != "" && dir != root) {
			return fmt.Errorf("go: generated files are not all under one root package directory (%s, %s)", root, name)
		}
		root = dir
	}
	modPath, ok := strings.CutSuffix(base, "/"+root)
	if root == "" || !ok || modPath == "" {
		return fmt.Errorf("go: importBasePath %q does not end in the root package directory %q", base, root)
	}
	if info.ModulePath != "" && info.ModulePath != modPath {
		return fmt.Errorf("go: modulePath %q disagrees with importBasePath %q (module root is the parent of %q)",
			info.ModulePath, base, root)
	}
	sdkVersion, goVersion, err := buildPins()
	if err != nil {
		return err
	}
	var mod modfile.File
	if err := mod.AddModuleStmt(modPath); err != nil {
		return err
	}
	if err := mod.AddGoStmt(goVersion); err != nil {
		return err
	}
	if err := mod.AddRequire(sdkModule, sdkVersion); err != nil {
		return err
	}
	text, err := mod.Format()
	if err != nil {
		return err
	}
	files["go.mod"] = text
	return nil
}

// buildPins returns the sdk/v3 version linked into this binary (the pin of the
// toolchain's go.mod) and the language version of the Go that built it
// (major.minor, e.g. 1.26); `go mod tidy` raises the latter if sdk/v3 needs more.
func buildPins() (sdkVersion, goVersion string, err error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", "", errors.New("go: no build information in this binary; cannot tell which sdk/v3 to require")
	}
	for _, m := range bi.Deps {
		if m.Path == sdkModule {
			sdkVersion = m.Version
			if m.Replace != nil && m.Replace.Version != "" {
				sdkVersion = m.Replace.Version
			}
		}
	}
	if sdkVersion == "" || sdkVersion == "(devel)" {
		return "", "", fmt.Errorf("go: this binary was not built against a released %s", sdkModule)
	}
	goVersion = strings.TrimPrefix(bi.GoVersion, "go")
	if parts := strings.SplitN(goVersion, ".", 3); len(parts) >= 2 {
		goVersion = parts[0] + "." + strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	}
	return sdkVersion, goVersion, nil
}

// checkOut refuses output directories whose removal would hurt: the file
// system root, the working directory or one of its parents, or a directory
// holding the schema.
func checkOut(out, schemaPath string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if abs == filepath.Dir(abs) {
		return fmt.Errorf("-out %q: refusing to empty the file system root", out)
	}
	within := func(p string) bool {
		p, err := filepath.Abs(p)
		if err != nil {
			return true
		}
		rel, err := filepath.Rel(abs, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if wd, err := os.Getwd(); err == nil && within(wd) {
		return fmt.Errorf("-out %q: refusing to empty the working directory or one of its parents", out)
	}
	if within(schemaPath) {
		return fmt.Errorf("-out %q: refusing to empty the directory that holds the schema", out)
	}
	if fi, err := os.Lstat(abs); err == nil && !fi.IsDir() {
		return fmt.Errorf("-out %q: exists and is not a directory", out)
	}
	return nil
}

// writeFiles empties out and writes files (slash-separated relative paths).
func writeFiles(out string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		clean := path.Clean(name)
		if name == "" || path.IsAbs(name) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("generator produced a file outside the output directory: %q", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("emptying %s: %w", out, err)
	}
	for _, name := range names {
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
