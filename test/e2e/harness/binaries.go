// Package harness runs the real Cluster API providers against envtest API servers, for the
// end-to-end scenarios in ../ (see docs/e2e.md).
package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// E2EDir is the directory of the harness module (test/e2e).
func E2EDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// RepoRoot is the npm project's root.
func RepoRoot() string { return filepath.Dir(filepath.Dir(E2EDir())) }

var (
	buildOnce sync.Once
	built     map[string]string
	buildErr  error
)

// Binaries builds (or finds in the cache) every binary the harness runs, via tools/build.sh,
// and returns wrapper name -> directory holding its binaries.
func Binaries() (map[string]string, error) {
	buildOnce.Do(func() {
		cmd := exec.Command("bash", filepath.Join(E2EDir(), "tools", "build.sh"))
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("building the provider binaries (tools/build.sh): %w", err)
			return
		}
		built = map[string]string{}
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				built[k] = v
			}
		}
	})
	return built, buildErr
}

// ModuleDir returns the module cache directory of a module a wrapper requires (e.g. the
// provider's own module, which holds its CRDs and webhook manifests).
func ModuleDir(wrapper, module string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module)
	cmd.Dir = filepath.Join(E2EDir(), "tools", wrapper)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s in tools/%s: %w", module, wrapper, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("module %s is not downloaded (run tools/build.sh)", module)
	}
	return dir, nil
}
