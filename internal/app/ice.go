package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/config"
	"github.com/jishitong/jishitong/media/rtc"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/turn"
)

// rtcConfig slices the media plane's configuration out of cfg: ports, the ICE servers
// clients get, and — with --turn-port — the embedded TURN server, which it starts.
//
// Clients get, in order: the STUN servers; the external TURN servers with fixed
// credentials or with credentials minted per join from --turn-secret; the embedded
// TURN server's UDP and TCP URLs with credentials minted from --turn-secret or, when
// none is set, from a secret generated now (valid on this process only).
func (s *Server) rtcConfig(cfg *config.Config) (rtc.RTCConfig, error) {
	rc := rtc.RTCConfig{UDPPort: cfg.RTCUDPPort, DisableFastSend: !cfg.RTCFastSend, TCPPort: cfg.RTCTCPPort, PublicIP: cfg.RTCPublicIP, LoopbackOnly: cfg.RTCLoopback, Logger: s.log}
	if len(cfg.STUNServers) > 0 {
		rc.ICEServers = append(rc.ICEServers, signal.ICEServer{URLs: cfg.STUNServers})
	}
	var secret *turn.SharedSecret
	if cfg.TURNSecret != "" {
		var err error
		if secret, err = turn.NewSharedSecret(cfg.TURNSecret, cfg.TURNTTL); err != nil {
			return rc, fmt.Errorf("--turn-secret: %w", err)
		}
	}
	if len(cfg.TURNServers) > 0 {
		if secret != nil {
			rc.MintedICEServers = append(rc.MintedICEServers, rtc.MintedICEServer{URLs: cfg.TURNServers, Minter: secret})
		} else {
			rc.ICEServers = append(rc.ICEServers, signal.ICEServer{URLs: cfg.TURNServers, Username: cfg.TURNUsername, Credential: cfg.TURNPassword})
		}
	}
	if cfg.TURNPort == 0 {
		return rc, nil
	}
	own := secret
	if own == nil {
		var err error
		if own, err = turn.NewSharedSecret(turn.GenerateSecret(), cfg.TURNTTL); err != nil {
			return rc, err
		}
		s.log.Info("embedded TURN server: no --turn-secret, generated one; its credentials hold on this process only")
	}
	listenIP := ""
	if cfg.RTCLoopback {
		listenIP = "127.0.0.1"
	}
	s.turn = turn.NewServer(turn.Config{
		ListenIP: listenIP, Port: cfg.TURNPort, RelayIP: cfg.RTCPublicIP,
		RelayPortMin: cfg.TURNRelayPortMin, RelayPortMax: cfg.TURNRelayPortMax,
		Realm: cfg.TURNRealm, Secret: own, UserQuota: cfg.TURNUserQuota, AllocationLifetime: cfg.TURNAllocationLifetime,
		Logger: s.log,
	})
	if err := s.turn.Start(); err != nil {
		if errors.Is(err, turn.ErrNoRelayIP) {
			err = fmt.Errorf("%w: set --rtc-public-ip to the address clients reach", err)
		}
		return rc, fmt.Errorf("embedded TURN server (--turn-port %d): %w", cfg.TURNPort, err)
	}
	rc.MintedICEServers = append(rc.MintedICEServers, rtc.MintedICEServer{URLs: s.turn.URLs(), Minter: own})
	return rc, nil
}

// joinICEServers are the ICE servers GraphQL's joinMeeting returns. The joiner is not
// a participant yet, so TURN credentials are minted for a random key; /rtc's joined
// message mints them again for the participant.
func (s *Server) joinICEServers() []*model.IceServer {
	key := make([]byte, 8)
	_, _ = rand.Read(key)
	servers := s.rtc.ICEServers("join-" + hex.EncodeToString(key))
	out := make([]*model.IceServer, 0, len(servers))
	for _, is := range servers {
		m := &model.IceServer{Urls: is.URLs}
		if is.Username != "" {
			m.Username = &is.Username
		}
		if is.Credential != "" {
			m.Credential = &is.Credential
		}
		out = append(out, m)
	}
	return out
}
