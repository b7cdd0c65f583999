package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/app"
	"github.com/jishitong/jishitong/internal/config"
	"github.com/jishitong/jishitong/internal/xtest"
)

// The composition root's own tests: start-up and shutdown. Tests that drive the
// running server through its edges are in e2e/.

// TestMediaPortsInUse checks that a port taken by someone else stops the start with
// an error naming the flag.
func TestMediaPortsInUse(t *testing.T) {
	busy, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyTCP, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busyTCP.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--turn-port", strconv.Itoa(busy.LocalAddr().(*net.UDPAddr).Port)}, "embedded TURN server (--turn-port"},
		{[]string{"--rtc-tcp-port", strconv.Itoa(busyTCP.Addr().(*net.TCPAddr).Port)}, "ICE-TCP, --rtc-tcp-port"},
	} {
		args := append([]string{"--http", "127.0.0.1:0", "--data", t.TempDir(), "--rtc-loopback-only"}, tc.args...)
		if uri := os.Getenv("JISHITONG_TEST_MONGO_URI"); uri != "" {
			args = append(args, "--mongo-uri", uri, "--mongo-database", "jst_test_ports_"+strconv.FormatInt(time.Now().UnixNano(), 36))
		}
		cfg, err := config.Parse(args, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		s, err := app.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		cancel()
		if err == nil {
			_ = s.Close()
			t.Fatalf("%v: started on a port in use", tc.args)
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("%v: %v, want an error naming %q and the busy address", tc.args, err, tc.want)
		}
	}
}

// TestShutdownServesNothingAfterClose holds a request in flight past the shutdown
// deadline by sending half its body: Close must cut it, so that nothing is served
// once Close has returned and the store is closed.
func TestShutdownServesNothingAfterClose(t *testing.T) {
	cfg, err := config.Parse([]string{"--http", "127.0.0.1:0", "--data", t.TempDir(), "--shutdown-timeout", "1s", "--rtc-loopback-only"},
		func(k string) string { return map[string]string{"JISHITONG_ADMIN_PASSWORD": xtest.AdminPassword}[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := app.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"query":"{__typename}"}`
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", s.Addr(), len(body), body[:10])
	time.Sleep(200 * time.Millisecond) // the handler is reading the body

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	if err := <-closed; err == nil {
		t.Error("close: no error, though a request outlived the deadline")
	}
	// The store is closed: the rest of the body must not get the request served.
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, body[10:])
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		b, _ := io.ReadAll(resp.Body)
		t.Errorf("served after Close returned: %s %s", resp.Status, b)
	}
}
