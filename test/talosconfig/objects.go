package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v4"
)

type obj = map[string]any

// readInputs reads a YAML stream of Kubernetes objects and ResourceLists. Each ResourceList is an input
// of its own (so several renders that reuse a cluster name can go in one run); the plain objects of the
// stream together are one more input, the first.
func readInputs(in []byte) ([][]obj, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in))

	var (
		objs  []obj
		lists [][]obj
	)

	for {
		var doc any

		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}

		if err != nil {
			return nil, fmt.Errorf("reading the input: %w", err)
		}

		m, ok := doc.(obj)
		if !ok {
			if doc == nil {
				continue
			}

			return nil, fmt.Errorf("a document is not a mapping")
		}

		if str(m, "kind") == "ResourceList" {
			var list []obj

			items, _ := m["items"].([]any)
			for _, it := range items {
				if o, ok := it.(obj); ok {
					list = append(list, o)
				}
			}

			lists = append(lists, list)

			continue
		}

		objs = append(objs, m)
	}

	if len(objs) > 0 {
		lists = append([][]obj{objs}, lists...)
	}

	return lists, nil
}

// at walks nested mappings; nil when a key is missing or a value on the way is not a mapping.
func at(o any, keys ...string) any {
	for _, k := range keys {
		m, ok := o.(obj)
		if !ok {
			return nil
		}

		o = m[k]
	}

	return o
}

func str(o any, keys ...string) string {
	s, _ := at(o, keys...).(string)

	return s
}

func strings_(o any, keys ...string) []string {
	list, _ := at(o, keys...).([]any)

	out := make([]string, 0, len(list))

	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}

	return out
}

func name(o obj) string       { return str(o, "metadata", "name") }
func namespace(o obj) string  { return str(o, "metadata", "namespace") }
func key(ns, n string) string { return ns + "/" + n }

// clusterOf is the CAPI cluster an object belongs to (its cluster.x-k8s.io/cluster-name label).
func clusterOf(o obj) string { return str(o, "metadata", "labels", "cluster.x-k8s.io/cluster-name") }
