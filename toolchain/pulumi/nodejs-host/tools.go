//go:build tools

// Package tools pins the Node.js language host so that `go mod tidy` keeps
// every module it needs in go.mod/go.sum. It is never compiled (build tag
// `tools`); ensure-pulumi.sh builds the main package directly.
//
// sdk/v3 v3.68.0 is the last release whose module still contains
// nodejs/cmd/pulumi-language-nodejs; from v3.69.0 on the host is its own,
// untagged module, which the Go module proxy reachable here does not serve.
package tools

import (
	// `pulumi-language-nodejs` (a main package).
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
	// Holds the Version variable that the build stamps with -ldflags -X.
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
