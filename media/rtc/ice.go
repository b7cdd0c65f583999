package rtc

import (
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/signal"
)

// CredentialMinter mints time-limited TURN credentials for a key (a participant or
// user ID). *turn.SharedSecret implements it.
type CredentialMinter interface {
	Mint(key string) (username, credential string)
}

// MintedICEServer is a TURN server whose credentials are minted for each client.
type MintedICEServer struct {
	URLs   []string
	Minter CredentialMinter
}

// ICE-TCP buffers per connection. Reads: packets queued for the agent. Writes: bytes
// queued for the socket, so that a client on a slow TCP path drops packets instead of
// blocking the track's forwarding goroutine (pion's default, 0, blocks); 1 MiB is
// about 4 s of a 2 Mbit/s stream.
const (
	iceTCPReadPackets = 64
	iceTCPWriteBytes  = 1 << 20
)

// ICEServers returns the STUN and TURN servers a client should use: the configured
// ones as they are, then the minted ones with fresh credentials for key. /rtc's joined
// and GraphQL's joinMeeting hand them out.
func (s *Server) ICEServers(key string) []signal.ICEServer {
	out := make([]signal.ICEServer, 0, len(s.cfg.ICEServers)+len(s.cfg.MintedICEServers))
	for _, is := range s.cfg.ICEServers {
		is.URLs = slices.Clone(is.URLs)
		out = append(out, is)
	}
	for _, m := range s.cfg.MintedICEServers {
		user, cred := m.Minter.Mint(key)
		out = append(out, signal.ICEServer{URLs: slices.Clone(m.URLs), Username: user, Credential: cred})
	}
	return out
}

// listenICETCP opens the passive ICE-TCP listener every PeerConnection shares: on
// 127.0.0.1 in loopback-only mode, else on every address (IPv4 and IPv6).
func listenICETCP(cfg RTCConfig) (*ice.TCPMuxDefault, error) {
	network, host := "tcp", ""
	if cfg.LoopbackOnly {
		network, host = "tcp4", "127.0.0.1"
	}
	ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(cfg.TCPPort)))
	if err != nil {
		return nil, fmt.Errorf("rtc: listen tcp (ICE-TCP, --rtc-tcp-port): %w", err)
	}
	return ice.NewTCPMuxDefault(ice.TCPMuxParams{
		Listener:        ln,
		Logger:          logging.NewDefaultLoggerFactory().NewLogger("rtc-tcp-mux"),
		ReadBufferSize:  iceTCPReadPackets,
		WriteBufferSize: iceTCPWriteBytes,
	}), nil
}

// setICETCP makes the agents offer passive candidates on the shared ICE-TCP listener
// (none when tcpMux is nil) and never dial TCP themselves: clients behind NAT cannot
// accept connections, so active candidates (RFC 6544 §4.5) would be outbound attempts
// to nowhere.
func setICETCP(se *webrtc.SettingEngine, cfg RTCConfig, tcpMux ice.TCPMux) {
	se.DisableActiveTCP(true)
	if tcpMux == nil {
		return
	}
	se.SetICETCPMux(tcpMux)
	if cfg.LoopbackOnly { // RestrictToLoopback allowed UDP4 only
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	}
}
