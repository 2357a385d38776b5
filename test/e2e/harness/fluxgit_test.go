package harness

import (
	"os"
	"path/filepath"
	"testing"
)

// The Git server answers a real Git client's clone and fetch over smart HTTP with what was pushed:
// a fault here (a wrong GIT_PROJECT_ROOT, a path the CGI handler mangles) would otherwise show only
// as a GitRepository that never gets an artifact.
func TestGitServerServesWhatWasPushed(t *testing.T) {
	dir := t.TempDir()
	g, err := StartGitServer("127.0.0.1:0", filepath.Join(dir, "srv"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := os.MkdirAll(g.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := g.NewRepo("fleet", filepath.Join(dir, "work"))
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, content := range []string{"one\n", "two\n"} {
		if err := r.WriteFile("rendered/a.yaml", []byte(content)); err != nil {
			t.Fatal(err)
		}
		sha, err := r.CommitAll("commit " + content)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Push(); err != nil {
			t.Fatal(err)
		}
		shas = append(shas, sha)
		if len(shas) == 1 {
			if _, err := Git(dir, "clone", "-q", r.URL, "clone"); err != nil {
				t.Fatal(err)
			}
		} else if _, err := Git(filepath.Join(dir, "clone"), "pull", "-q"); err != nil {
			t.Fatal(err)
		}
		head, err := Git(filepath.Join(dir, "clone"), "rev-parse", "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "clone", "rendered", "a.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if head != sha || string(data) != content {
			t.Errorf("over HTTP the repository is at %s with %q, want %s with %q", head, data, sha, content)
		}
	}
	// Pushing over HTTP is refused (http-backend's default without authentication): the scenarios
	// push to the bare repository, and nothing but what they push is served.
	if _, err := Git(filepath.Join(dir, "clone"), "push", "-q", r.URL, "HEAD:refs/heads/other"); err == nil {
		t.Error("an anonymous push over HTTP was accepted")
	}
}
