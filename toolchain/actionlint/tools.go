//go:build tools

// Package tools pins actionlint so that `go mod tidy` keeps every module it
// needs in go.mod/go.sum. It is never compiled (build tag `tools`);
// ensure-actionlint.sh builds the main package directly from this module.
package tools

import (
	// The `actionlint` CLI (a main package: `go build` it, don't import it).
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
