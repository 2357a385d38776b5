//go:build tools

// Package tools pins the main package this wrapper module builds.
package tools

import _ "sigs.k8s.io/cluster-api/core"
