package turn

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	pionturn "github.com/pion/turn/v5"
	"go.uber.org/goleak"
)

func testLogger() *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("TURN_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// verifyNoLeaks checks, after every cleanup of the test, that no goroutine it started
// is left.
func verifyNoLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// startServer starts a TURN server on 127.0.0.1 and closes it when the test ends.
func startServer(t *testing.T, cfg Config) (*Server, *SharedSecret) {
	t.Helper()
	if cfg.Secret == nil {
		var err error
		if cfg.Secret, err = NewSharedSecret(testSecret, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	cfg.ListenIP, cfg.Realm, cfg.Logger = "127.0.0.1", "jishitong.test", testLogger()
	s := NewServer(cfg)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, cfg.Secret
}

// turnClient is a pion TURN client over UDP or TCP to s.
type turnClient struct {
	*pionturn.Client
	conn net.PacketConn
}

func dialTURN(t *testing.T, s *Server, transport, username, password string) *turnClient {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port()))
	var conn net.PacketConn
	if transport == "tcp" {
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn = pionturn.NewSTUNConn(c)
	} else {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		conn = c
	}
	c, err := pionturn.NewClient(&pionturn.ClientConfig{
		TURNServerAddr: addr, STUNServerAddr: addr, Username: username, Password: password,
		Realm: "jishitong.test", Conn: conn, RTO: 100 * time.Millisecond, LoggerFactory: slogFactory{testLogger()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	tc := &turnClient{Client: c, conn: conn}
	t.Cleanup(tc.close)
	return tc
}

func (c *turnClient) close() {
	c.Client.Close()
	_ = c.conn.Close()
}

func TestRelaysOverUDPAndTCP(t *testing.T) {
	verifyNoLeaks(t)
	s, secret := startServer(t, Config{})
	if got := s.URLs(); len(got) != 2 || got[0] != "turn:127.0.0.1:"+strconv.Itoa(s.Port())+"?transport=udp" || !strings.HasSuffix(got[1], "?transport=tcp") {
		t.Fatalf("URLs %v", got)
	}
	// The peer stands for the SFU: a UDP socket on this host.
	peer, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()

	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			user, cred := secret.Mint("PA_" + transport)
			c := dialTURN(t, s, transport, user, cred)
			relay, err := c.Allocate()
			if err != nil {
				t.Fatalf("allocate: %v", err)
			}
			defer relay.Close()
			if ip := relay.LocalAddr().(*net.UDPAddr).IP; !ip.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Fatalf("relayed address %v", relay.LocalAddr())
			}
			if _, err := relay.WriteTo([]byte("hello "+transport), peer.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, from, err := peer.ReadFrom(buf)
			if err != nil || string(buf[:n]) != "hello "+transport {
				t.Fatalf("peer read %q %v", buf[:n], err)
			}
			if from.String() != relay.LocalAddr().String() {
				t.Errorf("peer got it from %v, want the relayed address %v", from, relay.LocalAddr())
			}
			// At least 5 bytes: pion's TCP framing never completes a smaller ChannelData
			// frame (its reader wants 9 bytes); media packets are far larger.
			if _, err := peer.WriteTo([]byte("back from the peer"), from); err != nil {
				t.Fatal(err)
			}
			_ = relay.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err = relay.ReadFrom(buf)
			if err != nil || !bytes.Equal(buf[:n], []byte("back from the peer")) {
				t.Fatalf("client read %q %v", buf[:n], err)
			}
			if s.Allocations() == 0 {
				t.Error("no allocation counted")
			}
		})
	}
}

func TestRefusesWrongAndExpiredCredentials(t *testing.T) {
	verifyNoLeaks(t)
	s, secret := startServer(t, Config{})
	user, cred := secret.Mint("PA_1")
	past, err := NewSharedSecret(testSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	past.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expiredUser, expiredCred := past.Mint("PA_1") // correctly signed, expired an hour ago
	other, err := NewSharedSecret("another-secret-of-16+", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherUser, otherCred := other.Mint("PA_1")

	for _, tc := range []struct{ name, user, cred string }{
		{"wrong password", user, cred + "x"},
		{"another secret", otherUser, otherCred},
		{"expired", expiredUser, expiredCred},
		{"not a REST username", "alice", cred},
	} {
		for _, transport := range []string{"udp", "tcp"} {
			t.Run(tc.name+"/"+transport, func(t *testing.T) {
				c := dialTURN(t, s, transport, tc.user, tc.cred)
				relay, err := c.Allocate()
				if err == nil {
					relay.Close()
					t.Fatal("allocation granted")
				}
				if !strings.Contains(err.Error(), "401") {
					t.Errorf("error %v, want 401 Unauthorized", err)
				}
			})
		}
	}
	if n := s.Allocations(); n != 0 {
		t.Errorf("%d allocations after refusals", n)
	}
}

func TestQuotaAndPeerRestriction(t *testing.T) {
	verifyNoLeaks(t)
	s, secret := startServer(t, Config{UserQuota: 1})
	user, cred := secret.Mint("PA_q")
	first := dialTURN(t, s, "udp", user, cred)
	relay, err := first.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()

	second := dialTURN(t, s, "tcp", user, cred)
	if r, err := second.Allocate(); err == nil {
		r.Close()
		t.Fatal("second allocation of the same user granted past a quota of 1")
	} else if !strings.Contains(err.Error(), "486") {
		t.Errorf("error %v, want 486 Allocation Quota Reached", err)
	}
	otherUser, otherCred := secret.Mint("PA_other")
	third := dialTURN(t, s, "udp", otherUser, otherCred)
	r, err := third.Allocate()
	if err != nil {
		t.Fatalf("another user: %v", err)
	}
	r.Close()

	// Relays reach this host only: 127.0.0.2 is loopback but not one of its addresses.
	if err := first.CreatePermission(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}); err != nil {
		t.Errorf("permission to this host: %v", err)
	}
	if err := first.CreatePermission(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 9}); err == nil {
		t.Error("permission to another address granted")
	}
	if err := first.CreatePermission(&net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 9}); err == nil {
		t.Error("permission to a remote address granted")
	}
}

func TestStartErrors(t *testing.T) {
	verifyNoLeaks(t)
	busy, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	secret, err := NewSharedSecret(testSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Config{ListenIP: "127.0.0.1", Port: busy.LocalAddr().(*net.UDPAddr).Port, Secret: secret, Logger: testLogger()})
	if err := s.Start(); err == nil || !strings.Contains(err.Error(), "turn: listen udp") || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("port in use: %v", err)
	}
	_ = s.Close()
	if err := NewServer(Config{ListenIP: "127.0.0.1"}).Start(); !errors.Is(err, ErrNoSecret) {
		t.Errorf("no secret: %v", err)
	}
	if err := NewServer(Config{ListenIP: "127.0.0.1", Secret: secret, RelayPortMin: 50000}).Start(); err == nil {
		t.Error("half a relay port range accepted")
	}
	if err := NewServer(Config{RelayIP: "::1", Secret: secret}).Start(); err == nil {
		t.Error("IPv6 relay address accepted")
	}
}

func TestRelayPortRange(t *testing.T) {
	verifyNoLeaks(t)
	// A free port for the relay: a range of one.
	probe, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.LocalAddr().(*net.UDPAddr).Port
	_ = probe.Close()
	s, secret := startServer(t, Config{RelayPortMin: uint16(port), RelayPortMax: uint16(port)})
	user, cred := secret.Mint("PA_r")
	relay, err := dialTURN(t, s, "udp", user, cred).Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	if got := relay.LocalAddr().(*net.UDPAddr).Port; got != port {
		t.Errorf("relay port %d, want %d", got, port)
	}
}
