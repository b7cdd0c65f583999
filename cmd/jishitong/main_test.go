package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the command once for the tests of this file.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "jishitong")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type process struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	addr string
}

// start runs `jishitong serve` with only the documented flags and variables, and
// waits until /readyz answers 200.
func start(t *testing.T, bin, data string, env ...string) *process {
	t.Helper()
	addr := freePort(t)
	p := &process{logs: &bytes.Buffer{}, addr: addr}
	p.cmd = exec.Command(bin, "serve", "--http", addr, "--data", data, "--log-level", "info")
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become ready; logs:\n%s", p.logs)
	return nil
}

func (p *process) graphql(t *testing.T, token, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest("POST", "http://"+p.addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (p *process) login(t *testing.T, email, password string) string {
	t.Helper()
	out := p.graphql(t, "", fmt.Sprintf(`mutation{login(email:%q,password:%q){token}}`, email, password))
	data, _ := out["data"].(map[string]any)
	login, _ := data["login"].(map[string]any)
	tok, _ := login["token"].(string)
	if tok == "" {
		t.Fatalf("login failed: %v", out)
	}
	return tok
}

// stop sends SIGTERM and checks the process exits 0 in time.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20s after SIGTERM\n%s", p.logs)
	}
	if !strings.Contains(p.logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the logs:\n%s", p.logs)
	}
}

// TestOutsideCheck does what the outside check does: start the binary with
// the documented flags and variables, log in as the bootstrap admin, call me,
// restart on the same data, log in again.
func TestOutsideCheck(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	env := []string{"JISHITONG_ADMIN_EMAIL=ops@example.com", "JISHITONG_ADMIN_PASSWORD=ops-password-1"}
	p := start(t, bin, data, env...)
	tok := p.login(t, "ops@example.com", "ops-password-1")
	out := p.graphql(t, tok, `{me{email}}`)
	if fmt.Sprint(out["data"]) != "map[me:map[email:ops@example.com]]" {
		t.Fatalf("me: %v", out)
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		resp, err := http.Get("http://" + p.addr + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	p.stop(t)

	p = start(t, bin, data, env...)
	tok = p.login(t, "ops@example.com", "ops-password-1")
	if out := p.graphql(t, tok, `{me{email}}`); out["errors"] != nil {
		t.Fatalf("me after restart: %v", out)
	}
	p.stop(t)
}

// TestGeneratedAdminPassword starts without bootstrap variables: a generated
// password is printed once and works.
func TestGeneratedAdminPassword(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	p := start(t, bin, data)
	logs := p.logs.String()
	i := strings.Index(logs, "password=")
	if i < 0 {
		t.Fatalf("no generated password in the log:\n%s", logs)
	}
	pw := strings.Fields(logs[i+len("password="):])[0]
	if len(pw) < 16 {
		t.Fatalf("generated password %q is short", pw)
	}
	p.login(t, "admin@jishitong.local", pw)
	p.stop(t)
	p = start(t, bin, data)
	if strings.Contains(p.logs.String(), "password=") {
		t.Fatalf("password printed again on restart:\n%s", p.logs)
	}
	p.stop(t)
}

// TestGracefulShutdownFinishesInFlight checks a request in flight when SIGTERM
// arrives still gets its answer.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	bin := buildBinary(t)
	p := start(t, bin, t.TempDir(), "JISHITONG_ADMIN_EMAIL=ops@example.com", "JISHITONG_ADMIN_PASSWORD=ops-password-1")
	// A login takes tens of milliseconds of password hashing: start several, then
	// signal while they run.
	type result struct {
		status int
		err    error
	}
	results := make(chan result, 8)
	for range 8 {
		go func() {
			body := `{"query":"mutation{login(email:\"ops@example.com\",password:\"ops-password-1\"){token}}"}`
			resp, err := http.Post("http://"+p.addr+"/graphql", "application/json", strings.NewReader(body))
			if err != nil {
				results <- result{err: err}
				return
			}
			resp.Body.Close()
			results <- result{status: resp.StatusCode}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	p.stop(t)
	for range 8 {
		r := <-results
		// A request either completed, or arrived after the listener closed.
		if r.err == nil && r.status != 200 {
			t.Errorf("in-flight request answered %d", r.status)
		}
	}
}

func TestCommandLine(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "jishitong ") {
		t.Fatalf("version: %q %v", out, err)
	}
	cmd := exec.CommandContext(context.Background(), bin, "serve", "--no-such-flag")
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "no-such-flag") {
		t.Fatalf("bad flag: %q %v", out, err)
	}
	out, err = exec.Command(bin, "serve", "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "JISHITONG_MONGO_URI") {
		t.Fatalf("help: %q %v", out, err)
	}
}
