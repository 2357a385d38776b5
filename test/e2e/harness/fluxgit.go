package harness

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GitServer serves bare Git repositories over smart HTTP on 127.0.0.1, as a Git host serves the
// repository a user's Flux GitRepository points at. It is git's own server side, `git
// http-backend` (the CGI program that ships with git), behind Go's net/http/cgi: source-controller
// clones and fetches with its real Git client (go-git) over the real protocol. Read-only over HTTP
// (as Flux needs it); the scenarios push to the bare repositories on disk.
//
// fluxcd/pkg/gittestserver (v0.25.0 is on the module proxy) does the same through gitkit, which
// also runs the git binary; serving with http-backend adds no module to the harness's go.mod.
type GitServer struct {
	Root string // directory of the bare repositories (<name>.git)
	URL  string // http://127.0.0.1:<port>
	srv  *http.Server
	ln   net.Listener
}

// StartGitServer serves the bare repositories under root at addr (host:port).
func StartGitServer(addr, root string) (*GitServer, error) {
	backend, err := gitHTTPBackend()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("git server: %s is in use (another e2e run?): %w", addr, err)
	}
	h := &cgi.Handler{
		Path: backend,
		Root: "/",
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	g := &GitServer{Root: root, URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h}, ln: ln}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

// gitHTTPBackend finds git-http-backend in git's exec path.
func gitHTTPBackend() (string, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return "", fmt.Errorf("git --exec-path: %w (the Flux scenarios need git)", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("git-http-backend not found: %w", err)
	}
	return p, nil
}

// Close stops serving.
func (g *GitServer) Close() {
	if g.srv != nil {
		_ = g.srv.Close()
	}
}

// Repo is a Git repository on the server and a working clone of it, where a scenario edits,
// commits and pushes as a user would.
type Repo struct {
	Name string
	URL  string // what the GitRepository points at
	Work string // the working clone
	bare string
}

// NewRepo creates <name>.git (default branch main) and a working clone in work.
func (g *GitServer) NewRepo(name, work string) (*Repo, error) {
	r := &Repo{Name: name, URL: g.URL + "/" + name + ".git", Work: work, bare: filepath.Join(g.Root, name+".git")}
	if _, err := Git("", "init", "-q", "--bare", "-b", "main", r.bare); err != nil {
		return nil, err
	}
	if _, err := Git("", "init", "-q", "-b", "main", work); err != nil {
		return nil, err
	}
	if _, err := r.Git("remote", "add", "origin", r.bare); err != nil {
		return nil, err
	}
	return r, nil
}

// Git runs git in dir with a fixed identity; the error carries git's output.
func Git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=e2e", "-c", "user.email=e2e@capi-proxmox-talos.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	// No system or global config of the machine changes what the scenarios do.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String()), nil
}

// Git runs git in the working clone.
func (r *Repo) Git(args ...string) (string, error) { return Git(r.Work, args...) }

// WriteFile writes a file of the working clone (path relative to it).
func (r *Repo) WriteFile(path string, data []byte) error {
	p := filepath.Join(r.Work, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// CommitAll commits every change of the working clone and returns the commit's SHA.
func (r *Repo) CommitAll(msg string) (string, error) {
	if _, err := r.Git("add", "-A"); err != nil {
		return "", err
	}
	if _, err := r.Git("commit", "-q", "--allow-empty", "-m", msg); err != nil {
		return "", err
	}
	return r.Git("rev-parse", "HEAD")
}

// Push pushes main to the server.
func (r *Repo) Push() error {
	_, err := r.Git("push", "-q", "origin", "main")
	return err
}
