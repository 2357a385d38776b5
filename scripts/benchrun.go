// cpt-benchrun: the process runner of scripts/bench.mjs. Node cannot read a child's resource usage, so
// this runs the cases and reports, for every run, its wall time and what wait4 says of the child: CPU
// time (user + system, the child's own waited-for children included: kustomize's generator, kpt's
// function) and peak resident memory. Wall time on a shared machine measures the neighbours too; CPU time
// much less so, hence both.
//
// Input (stdin, JSON): {"runs": N, "cases": [{"label", "argv", "stdin" (a file, or ""), "env": ["K=V", ...]}]}.
// The cases run interleaved, round after round, so a machine that gets busier mid-run slows all alike.
// Output (stdout, JSON): {"<label>": [{"wallMs", "cpuMs", "maxRssKiB"}, ...]}. A case that exits non-zero
// stops the run with its stderr.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

type benchCase struct {
	Label string   `json:"label"`
	Argv  []string `json:"argv"`
	Stdin string   `json:"stdin"`
	Env   []string `json:"env"`
}

type sample struct {
	WallMs    float64 `json:"wallMs"`
	CPUMs     float64 `json:"cpuMs"`
	MaxRssKiB int64   `json:"maxRssKiB"`
}

func main() {
	var in struct {
		Runs  int         `json:"runs"`
		Cases []benchCase `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("reading the cases: %v", err)
	}
	out := map[string][]sample{}
	for round := 0; round < in.Runs; round++ {
		for _, c := range in.Cases {
			out[c.Label] = append(out[c.Label], run(c))
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("writing the samples: %v", err)
	}
}

func run(c benchCase) sample {
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Env = c.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if c.Stdin != "" {
		f, err := os.Open(c.Stdin)
		if err != nil {
			fail("%s: %v", c.Label, err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		fail("%s: %v\n%s", c.Label, err, stderr.String())
	}
	ps := cmd.ProcessState
	rss := int64(0)
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	return sample{
		WallMs:    float64(wall.Microseconds()) / 1000,
		CPUMs:     float64((ps.UserTime() + ps.SystemTime()).Microseconds()) / 1000,
		MaxRssKiB: rss,
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cpt-benchrun: "+format+"\n", args...)
	os.Exit(1)
}
