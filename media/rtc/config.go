package rtc

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/signal"
)

// RTCConfig configures the media plane of a Server.
type RTCConfig struct {
	// UDPPort, when > 0, makes every PeerConnection share one UDP socket on this port
	// (ICE UDP mux), which is what a firewall-friendly deployment wants. When 0, each
	// PeerConnection gathers on its own ephemeral port, within UDPPortMin..UDPPortMax when
	// both are set.
	UDPPort    int
	UDPPortMin uint16
	UDPPortMax uint16
	// PublicIP, when set, replaces the host candidates' address (1:1 NAT).
	PublicIP string
	// ICEServers are sent to clients in joined and used by the server's own agents.
	ICEServers []signal.ICEServer
	// LoopbackOnly restricts ICE to IPv4 UDP on 127.0.0.1; tests use it so no traffic
	// reaches a non-loopback interface.
	LoopbackOnly bool
	// Signal tunes each /rtc websocket connection.
	Signal signal.Config
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// estimators receives the subscriber connections' bandwidth estimators (set by
	// NewServer; nil for clients built with newAPI in tests).
	estimators *estimators
}

// iceServers converts the configured servers to pion's type.
func (c RTCConfig) iceServers() []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(c.ICEServers))
	for _, s := range c.ICEServers {
		out = append(out, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return out
}

// newAPI builds a pion API from cfg. mux, if not nil, is the shared ICE UDP mux.
func newAPI(cfg RTCConfig, mux ice.UDPMux) (*webrtc.API, error) {
	m, err := newMediaEngine()
	if err != nil {
		return nil, fmt.Errorf("rtc: media engine: %w", err)
	}
	ir, err := newInterceptors(m, cfg.estimators)
	if err != nil {
		return nil, fmt.Errorf("rtc: interceptors: %w", err)
	}
	se := webrtc.SettingEngine{}
	// No multicast: mDNS is of no use to a server and would open a socket per agent.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if mux != nil {
		se.SetICEUDPMux(mux)
	} else if cfg.UDPPortMin > 0 && cfg.UDPPortMax >= cfg.UDPPortMin {
		if err := se.SetEphemeralUDPPortRange(cfg.UDPPortMin, cfg.UDPPortMax); err != nil {
			return nil, fmt.Errorf("rtc: port range: %w", err)
		}
	}
	if cfg.PublicIP != "" {
		se.SetNAT1To1IPs([]string{cfg.PublicIP}, webrtc.ICECandidateTypeHost)
	}
	if cfg.LoopbackOnly {
		RestrictToLoopback(&se)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

// RestrictToLoopback limits ICE to IPv4 UDP on 127.0.0.1, locally and remotely. Tests,
// the load tool and single-machine demos use it so no media reaches another address.
func RestrictToLoopback(se *webrtc.SettingEngine) {
	loopback := func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil }
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(loopback)
	se.SetRemoteIPFilter(loopback)
}
