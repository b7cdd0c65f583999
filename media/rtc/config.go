package rtc

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/media/nack"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/whiteboard"
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
	// DisableFastSend makes the UDPPort socket send through Go like any other. By
	// default each packet goes out at once, with one sendto, from a second socket on
	// the port that Go's netpoller does not watch (media/udpsend.Listen); a full send
	// buffer drops the packet rather than block a forwarding goroutine.
	DisableFastSend bool
	// TCPPort, when > 0, opens a passive ICE-TCP listener (RFC 6544) on this port that
	// every PeerConnection shares: the fallback for clients whose network blocks UDP.
	// 0 offers no ICE-TCP candidates.
	TCPPort int
	// PublicIP, when set, replaces the host candidates' address (1:1 NAT).
	PublicIP string
	// ICEServers are handed to clients as they are (joined, joinMeeting): STUN servers
	// and TURN servers with fixed credentials. The server's own agents use their stun:
	// URLs only where they can learn from them (see iceServers).
	ICEServers []signal.ICEServer
	// MintedICEServers are TURN servers whose credentials are minted for each client
	// (see Server.ICEServers).
	MintedICEServers []MintedICEServer
	// LoopbackOnly restricts ICE to IPv4 UDP on 127.0.0.1; tests use it so no traffic
	// reaches a non-loopback interface.
	LoopbackOnly bool
	// ResumeWindow is how long a participant whose connection dropped may resume as
	// itself (DefaultResumeWindow when 0).
	ResumeWindow time.Duration
	// Signal tunes each /rtc websocket connection.
	Signal signal.Config
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// estimators receives the subscriber connections' bandwidth estimators (set by
	// NewServer; nil for clients built with newAPI in tests).
	estimators *estimators
	// responder answers NACKs on every connection (set by NewServer, for its counters).
	responder *nack.Responder
}

// iceServers are the servers the server's own ICE agents use: the configured STUN
// servers, and only when a server-reflexive candidate can help — not on loopback, not
// with PublicIP (the host candidates already carry the public address) and not with
// the UDP mux (pion would gather srflx on ephemeral ports a firewall does not open).
// TURN is for clients: the server relaying its own media would only add a hop.
func (c RTCConfig) iceServers() []webrtc.ICEServer {
	if c.LoopbackOnly || c.PublicIP != "" || c.UDPPort > 0 {
		return nil
	}
	var urls []string
	for _, s := range c.ICEServers {
		for _, u := range s.URLs {
			if strings.HasPrefix(strings.ToLower(u), "stun:") {
				urls = append(urls, u)
			}
		}
	}
	if len(urls) == 0 {
		return nil
	}
	return []webrtc.ICEServer{{URLs: urls}}
}

// newAPI builds a pion API from cfg. mux, if not nil, is the shared ICE UDP mux.
func newAPI(cfg RTCConfig, mux ice.UDPMux) (*webrtc.API, error) {
	return newAPIWith(cfg, mux, nil)
}

// newAPIWith builds a pion API from cfg with the shared ICE UDP mux and ICE-TCP mux,
// each nil when not in use.
func newAPIWith(cfg RTCConfig, mux ice.UDPMux, tcpMux ice.TCPMux) (*webrtc.API, error) {
	m, err := newMediaEngine()
	if err != nil {
		return nil, fmt.Errorf("rtc: media engine: %w", err)
	}
	resp := cfg.responder
	if resp == nil {
		if resp, err = nack.NewResponder(nack.ResponderConfig{}); err != nil {
			return nil, fmt.Errorf("rtc: nack responder: %w", err)
		}
	}
	ir, err := newInterceptors(m, cfg.estimators, resp)
	if err != nil {
		return nil, fmt.Errorf("rtc: interceptors: %w", err)
	}
	se := webrtc.SettingEngine{}
	// No data-channel message above the whiteboard's limit (plus room for the fields a
	// relayed update gains) is buffered: pion would otherwise assemble up to 1 GiB.
	se.SetSCTPMaxMessageSize(whiteboard.MaxMessageBytes + 4<<10)
	// No multicast: mDNS is of no use to a server and would open a socket per agent.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// A participant whose packets stop is noticed within seconds (liveness.go).
	se.SetICETimeouts(iceDisconnected, iceFailed, iceKeepalive)
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
	setICETCP(&se, cfg, tcpMux)
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
