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

// rtcConfig builds the media plane's configuration from its slices: ports, the ICE
// servers clients get, and — with --turn-port — the embedded TURN server, which it
// starts.
//
// Clients get, in order: the STUN servers; the external TURN servers with fixed
// credentials or with credentials minted per join from --turn-secret; the embedded
// TURN server's UDP and TCP URLs with credentials minted from --turn-secret or, when
// none is set, from a secret generated now (valid on this process only).
func (s *Server) rtcConfig(r config.RTC, ice config.ICE, t config.TURN) (rtc.RTCConfig, error) {
	rc := rtc.RTCConfig{UDPPort: r.UDPPort, DisableFastSend: !r.FastSend, TCPPort: r.TCPPort, PublicIP: r.PublicIP, LoopbackOnly: r.LoopbackOnly, Logger: s.log}
	if len(ice.STUNServers) > 0 {
		rc.ICEServers = append(rc.ICEServers, signal.ICEServer{URLs: ice.STUNServers})
	}
	var secret *turn.SharedSecret
	if ice.TURNSecret != "" {
		var err error
		if secret, err = turn.NewSharedSecret(ice.TURNSecret, ice.TURNTTL); err != nil {
			return rc, fmt.Errorf("--turn-secret: %w", err)
		}
	}
	if len(ice.TURNServers) > 0 {
		if secret != nil {
			rc.MintedICEServers = append(rc.MintedICEServers, rtc.MintedICEServer{URLs: ice.TURNServers, Minter: secret})
		} else {
			rc.ICEServers = append(rc.ICEServers, signal.ICEServer{URLs: ice.TURNServers, Username: ice.TURNUsername, Credential: ice.TURNPassword})
		}
	}
	if t.Port == 0 {
		return rc, nil
	}
	own := secret
	if own == nil {
		var err error
		if own, err = turn.NewSharedSecret(turn.GenerateSecret(), ice.TURNTTL); err != nil {
			return rc, err
		}
		s.log.Info("embedded TURN server: no --turn-secret, generated one; its credentials hold on this process only")
	}
	s.turn = turn.NewServer(turnConfig(t, r, own, s.log))
	if err := s.turn.Start(); err != nil {
		if errors.Is(err, turn.ErrNoRelayIP) {
			err = fmt.Errorf("%w: set --rtc-public-ip to the address clients reach", err)
		}
		return rc, fmt.Errorf("embedded TURN server (--turn-port %d): %w", t.Port, err)
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
