//go:build tools

// Package tools pins the Pulumi CLI so that `go mod tidy` keeps every module
// it needs in go.mod/go.sum. It is never compiled (build tag `tools`);
// ensure-pulumi.sh builds the CLI's main package directly from this module.
package tools

import (
	// The `pulumi` CLI (a main package: `go build` it, don't import it).
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	// Holds the Version variable that the build stamps with -ldflags -X.
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
