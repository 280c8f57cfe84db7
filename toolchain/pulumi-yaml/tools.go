//go:build tools

// Package tools pins the Pulumi YAML language host so that `go mod tidy` keeps
// every module it needs in go.mod/go.sum. It is never compiled (build tag
// `tools`); ensure-pulumi-yaml.sh builds the main package directly from this
// module.
package tools

import (
	// The `pulumi-language-yaml` language host (a main package: `go build` it,
	// don't import it).
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
