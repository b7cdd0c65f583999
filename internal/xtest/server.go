// Package xtest starts real servers on loopback for tests and talks to them as
// clients do: GraphQL over HTTP POST, multipart upload and graphql-transport-ws.
package xtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/app"
	"github.com/jishitong/jishitong/internal/config"
)

// AdminEmail and AdminPassword are the bootstrap platform admin of test servers.
const (
	AdminEmail    = "root@example.com"
	AdminPassword = "root-password-1"
)

// Server is a running jishitong for one test.
type Server struct {
	*app.Server
	URL     string
	DataDir string
	Config  *config.Config
}

// Options tune StartServer.
type Options struct {
	// DataDir reuses a data folder (for restart tests); default a fresh temp dir.
	DataDir string
	// Args are extra serve flags.
	Args []string
	// Env overrides environment variables seen by the config.
	Env map[string]string
}

// StartServer starts a server on 127.0.0.1 with a free port and the embedded store
// (or JISHITONG_TEST_MONGO_URI when set, in a database of its own), and stops it
// when the test ends.
func StartServer(t testing.TB, o Options) *Server {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	env := map[string]string{
		"JISHITONG_ADMIN_EMAIL":    AdminEmail,
		"JISHITONG_ADMIN_PASSWORD": AdminPassword,
	}
	for k, v := range o.Env {
		env[k] = v
	}
	args := append([]string{"--http", "127.0.0.1:0", "--data", o.DataDir, "--shutdown-timeout", "5s", "--rtc-loopback-only"}, o.Args...)
	if uri := os.Getenv("JISHITONG_TEST_MONGO_URI"); uri != "" {
		args = append(args, "--mongo-uri", uri)
	}
	cfg, err := config.Parse(args, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if uri := os.Getenv("JISHITONG_TEST_MONGO_URI"); uri != "" {
		cfg.Store.Database = fmt.Sprintf("jst_test_%d", time.Now().UnixNano())
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := app.Start(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	srv := &Server{Server: s, URL: "http://" + s.Addr(), DataDir: o.DataDir, Config: cfg}
	// The public URL is what browsers use; tests reach the server by its address.
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return srv
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
	// Status is the HTTP status code.
	Status int `json:"-"`
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the extensions.code of the first error, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into v, failing the test on errors in the response.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// Client calls a server's GraphQL endpoint, as one signed-in account or anonymously.
type Client struct {
	URL   string
	Token string
	// Header is added to every request (e.g. Host, Origin).
	Header http.Header
	HTTP   *http.Client
}

// Client returns an anonymous client of s.
func (s *Server) Client() *Client {
	return &Client{URL: s.URL, HTTP: &http.Client{Timeout: 60 * time.Second}, Header: http.Header{}}
}

// Login returns a client signed in as email, failing the test when login fails.
func (s *Server) Login(t testing.TB, email, password string) *Client {
	t.Helper()
	c := s.Client()
	var out struct {
		Login struct{ Token string }
	}
	c.Do(t, `mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}`, map[string]any{"e": email, "p": password}).Decode(t, &out)
	c.Token = out.Login.Token
	return c
}

// Admin returns a client signed in as the bootstrap platform admin.
func (s *Server) Admin(t testing.TB) *Client { return s.Login(t, AdminEmail, AdminPassword) }

// Do posts a GraphQL operation and returns the response; transport failures fail
// the test.
func (c *Client) Do(t testing.TB, query string, vars map[string]any) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	r, err := c.Post(body)
	if err != nil {
		t.Fatalf("graphql: %v", err)
	}
	return r
}

// Post sends a raw JSON body to /graphql.
func (c *Client) Post(body []byte) (*Response, error) {
	req, err := http.NewRequest(http.MethodPost, c.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.send(req)
}

func (c *Client) send(req *http.Request) (*Response, error) {
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.EqualFold(k, "Host") {
				req.Host = v
				continue
			}
			req.Header.Add(k, v)
		}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := &Response{Status: resp.StatusCode}
	if err := json.Unmarshal(b, out); err != nil {
		return nil, fmt.Errorf("status %d, body %.300q: %w", resp.StatusCode, b, err)
	}
	return out, nil
}

// Upload sends an operation with one file variable named by varName, following the
// GraphQL multipart request specification.
func (c *Client) Upload(t testing.TB, query string, vars map[string]any, varName, filename string, content []byte) *Response {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars[varName] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", string(ops))
	mw.WriteField("map", fmt.Sprintf(`{"0":["variables.%s"]}`, varName))
	fw, _ := mw.CreateFormFile("0", filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.URL+"/graphql", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := c.send(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return r
}

// Get fetches a path with the client's credentials.
func (c *Client) Get(t testing.TB, path string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.URL+path, nil)
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.EqualFold(k, "Host") {
				// net/http sends req.Host and ignores a Host header.
				req.Host = v
				continue
			}
			req.Header.Add(k, v)
		}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("get %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}
