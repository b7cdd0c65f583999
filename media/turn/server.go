package turn

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	pionturn "github.com/pion/turn/v5"
)

// ErrNoRelayIP is returned by Start when no relay address is configured and the host
// has no global IPv4 address to announce.
var ErrNoRelayIP = errors.New("turn: no IPv4 address to announce for relays")

// DefaultAllocationLifetime is the lifetime an allocation gets when the client asks for
// none (RFC 8656 §3.2: 10 minutes).
const DefaultAllocationLifetime = 10 * time.Minute

// Config configures the embedded TURN server.
type Config struct {
	// ListenIP is the IPv4 address to listen on, UDP and TCP; empty listens on all.
	ListenIP string
	// Port is the UDP and TCP port (3478 is TURN's, RFC 8656 §4); 0 picks a free one.
	Port int
	// RelayIP is the address announced for relayed transport addresses
	// (XOR-RELAYED-ADDRESS) and in URLs: the public address behind 1:1 NAT. Empty uses
	// ListenIP when set, else the host's first global unicast IPv4 address.
	RelayIP string
	// RelayPortMin..RelayPortMax bound the relay sockets' ports; both 0 use ephemeral
	// ports.
	RelayPortMin, RelayPortMax uint16
	// Realm is the long-term credential realm (RFC 8489 §9.2).
	Realm string
	// Secret checks the clients' credentials; required.
	Secret *SharedSecret
	// UserQuota caps the allocations one user key holds at once; beyond it an Allocate
	// is answered 486 Allocation Quota Reached (RFC 8656 §7.2). 0 means no cap.
	UserQuota int
	// AllocationLifetime is granted to allocations whose client asks for none (0:
	// DefaultAllocationLifetime); pion honours a requested lifetime below one hour.
	// Refreshes and permissions need a valid credential, so no relay outlives its
	// credential by more than one lifetime.
	AllocationLifetime time.Duration
	// PeerAllowed decides which peer addresses relays may reach (CreatePermission,
	// ChannelBind). Nil allows only this host's own addresses (and loopback only when
	// listening on loopback): the SFU, never another machine.
	PeerAllowed func(net.IP) bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Server is the embedded TURN server: UDP and TCP on one port, UDP relays.
type Server struct {
	cfg Config
	log *slog.Logger

	srv     *pionturn.Server
	relayIP net.IP
	port    int

	// wg counts pion's goroutines over our sockets: the UDP read loop, the TCP accept
	// loop, one per accepted connection and one per relay (see conns.go).
	wg sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	accepted map[*trackedConn]struct{}
	allocs   map[string]int // user key → allocations held
}

// NewServer returns a Server; call Start to listen.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.AllocationLifetime <= 0 {
		cfg.AllocationLifetime = DefaultAllocationLifetime
	}
	return &Server{cfg: cfg, log: cfg.Logger, accepted: map[*trackedConn]struct{}{}, allocs: map[string]int{}}
}

// Start listens on the UDP and TCP port and starts serving.
func (s *Server) Start() error {
	if s.cfg.Secret == nil {
		return ErrNoSecret
	}
	if (s.cfg.RelayPortMin == 0) != (s.cfg.RelayPortMax == 0) || s.cfg.RelayPortMin > s.cfg.RelayPortMax {
		return fmt.Errorf("turn: relay port range %d-%d is not a range", s.cfg.RelayPortMin, s.cfg.RelayPortMax)
	}
	relayIP, err := s.relayAddress()
	if err != nil {
		return err
	}
	listenIP := net.ParseIP(s.cfg.ListenIP)
	if s.cfg.ListenIP != "" && (listenIP == nil || listenIP.To4() == nil) {
		return fmt.Errorf("turn: listen address %q is not an IPv4 address", s.cfg.ListenIP)
	}
	peerAllowed := s.cfg.PeerAllowed
	if peerAllowed == nil {
		if peerAllowed, err = ownAddresses(relayIP, listenIP != nil && listenIP.IsLoopback()); err != nil {
			return err
		}
	}
	bind := "0.0.0.0"
	if listenIP != nil {
		bind = listenIP.String()
	}
	var inner pionturn.RelayAddressGenerator = &pionturn.RelayAddressGeneratorStatic{RelayAddress: relayIP, Address: bind}
	if s.cfg.RelayPortMin > 0 {
		inner = &pionturn.RelayAddressGeneratorPortRange{RelayAddress: relayIP, Address: bind, MinPort: s.cfg.RelayPortMin, MaxPort: s.cfg.RelayPortMax}
	}
	gen := &relayGenerator{inner: inner, s: s}
	// Validated here so that pion's NewServer, which starts its loops as it goes,
	// cannot fail half-way for this reason.
	if err := gen.Validate(); err != nil {
		return fmt.Errorf("turn: relay addresses: %w", err)
	}
	udp, tcp, err := listen(bind, s.cfg.Port)
	if err != nil {
		return err
	}
	permission := func(_ net.Addr, peer net.IP) bool { return peerAllowed(peer) }
	s.wg.Add(2) // the UDP read loop and the TCP accept loop
	srv, err := pionturn.NewServer(pionturn.ServerConfig{
		PacketConnConfigs: []pionturn.PacketConnConfig{{
			PacketConn:            &loopPacketConn{PacketConn: udp, done: s.wg.Done},
			RelayAddressGenerator: gen,
			PermissionHandler:     permission,
		}},
		ListenerConfigs: []pionturn.ListenerConfig{{
			Listener:              &trackedListener{Listener: tcp, s: s},
			RelayAddressGenerator: gen,
			PermissionHandler:     permission,
		}},
		LoggerFactory:      slogFactory{s.log},
		Realm:              s.cfg.Realm,
		AuthHandler:        s.authenticate,
		QuotaHandler:       s.quota,
		AllocationLifetime: s.cfg.AllocationLifetime,
		EventHandler: pionturn.EventHandler{
			OnAllocationCreated: func(_, _ net.Addr, _, user, _ string, _ net.Addr, _ int) { s.allocated(user, 1) },
			OnAllocationDeleted: func(_, _ net.Addr, _, user, _ string) { s.allocated(user, -1) },
		},
	})
	if err != nil {
		// Not expected once the configuration validated; the loops that did start end
		// with their sockets.
		_ = udp.Close()
		_ = tcp.Close()
		return fmt.Errorf("turn: %w", err)
	}
	s.srv, s.relayIP, s.port = srv, relayIP, udp.LocalAddr().(*net.UDPAddr).Port
	s.log.Info("turn: listening", "udp", udp.LocalAddr().String(), "tcp", tcp.Addr().String(), "relay_ip", relayIP.String(), "realm", s.cfg.Realm)
	return nil
}

// listen opens UDP and TCP on the same port; port 0 picks one free for both.
func listen(ip string, port int) (net.PacketConn, net.Listener, error) {
	for attempt := 1; ; attempt++ {
		udp, err := net.ListenPacket("udp4", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			return nil, nil, fmt.Errorf("turn: listen udp: %w", err)
		}
		p := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp4", net.JoinHostPort(ip, strconv.Itoa(p)))
		if err == nil {
			return udp, tcp, nil
		}
		_ = udp.Close()
		if port != 0 || attempt == 10 {
			return nil, nil, fmt.Errorf("turn: listen tcp: %w", err)
		}
	}
}

// relayAddress is the configured relay IP, else the listen IP, else the host's first
// global unicast IPv4 address.
func (s *Server) relayAddress() (net.IP, error) {
	for _, a := range []string{s.cfg.RelayIP, s.cfg.ListenIP} {
		if a == "" {
			continue
		}
		ip := net.ParseIP(a).To4()
		if ip == nil {
			return nil, fmt.Errorf("turn: relay address %q is not an IPv4 address", a)
		}
		if !ip.IsUnspecified() {
			return ip, nil
		}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("turn: interface addresses: %w", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
			return n.IP.To4(), nil
		}
	}
	return nil, ErrNoRelayIP
}

// ownAddresses allows the host's interface addresses and relayIP (loopback only when
// loopback is true).
func ownAddresses(relayIP net.IP, loopback bool) (func(net.IP) bool, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("turn: interface addresses: %w", err)
	}
	own := map[netip.Addr]bool{}
	add := func(ip net.IP) {
		if a, ok := netip.AddrFromSlice(ip); ok && (loopback || !a.Unmap().IsLoopback()) {
			own[a.Unmap()] = true
		}
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			add(n.IP)
		}
	}
	add(relayIP)
	if loopback {
		add(net.IPv4(127, 0, 0, 1))
	}
	return func(ip net.IP) bool {
		a, ok := netip.AddrFromSlice(ip)
		return ok && own[a.Unmap()]
	}, nil
}

// URLs returns the turn: URLs of the server (RFC 7065), UDP then TCP; valid after Start.
func (s *Server) URLs() []string {
	hp := net.JoinHostPort(s.relayIP.String(), strconv.Itoa(s.port))
	return []string{"turn:" + hp + "?transport=udp", "turn:" + hp + "?transport=tcp"}
}

// Port returns the UDP and TCP port the server listens on; valid after Start.
func (s *Server) Port() int { return s.port }

// Allocations returns how many allocations the server holds.
func (s *Server) Allocations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.allocs {
		n += c
	}
	return n
}

// Close stops the server, ends its TCP connections and relays, and returns when pion's
// goroutines over them have finished.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed || s.srv == nil {
		s.closed = true
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*trackedConn, 0, len(s.accepted))
	for c := range s.accepted {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	err := s.srv.Close() // the UDP socket and the listener: their loops end and close the allocations
	for _, c := range conns {
		_ = c.Conn.Close() // pion's goroutine for it fails to read, cleans up and calls c.Close
	}
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("turn: close: %w", err)
	}
	return nil
}

// track registers an accepted connection; false once the server is closing.
func (s *Server) track(c *trackedConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.accepted[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *trackedConn) {
	s.mu.Lock()
	delete(s.accepted, c)
	s.mu.Unlock()
	s.wg.Done()
}

// authenticate is pion's AuthHandler, called on its read goroutines: it refuses
// malformed and expired usernames and gives the key of a minted one; pion then checks
// the request's MESSAGE-INTEGRITY with it, which a wrong password fails (401).
func (s *Server) authenticate(ra *pionturn.RequestAttributes) (string, []byte, bool) {
	user, password, err := s.cfg.Secret.Check(ra.Username)
	if err != nil {
		s.log.Debug("turn: credentials refused", "username", ra.Username, "from", ra.SrcAddr.String(), "err", err)
		return "", nil, false
	}
	return user, pionturn.GenerateAuthKey(ra.Username, ra.Realm, password), true
}

// quota is pion's QuotaHandler, called on its read goroutines before an allocation is
// made. Allocations are counted when made, so requests racing on different TCP
// connections may pass the same last slot: the cap can be exceeded by a few, never
// by many.
func (s *Server) quota(user, _ string, _ net.Addr) bool {
	if s.cfg.UserQuota <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.allocs[user] >= s.cfg.UserQuota {
		s.log.Debug("turn: allocation quota reached", "user", user)
		return false
	}
	return true
}

func (s *Server) allocated(user string, delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.allocs[user] + delta; n > 0 {
		s.allocs[user] = n
	} else {
		delete(s.allocs, user)
	}
}
