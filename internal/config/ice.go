package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// minTURNSecretLen mirrors turn.MinSecretLen: a minted credential is an HMAC of a
// known username, so a short secret could be guessed offline.
const minTURNSecretLen = 16

// parseICE reads the ICE-TCP, STUN and TURN flags. publicHost is the public URL's host,
// the embedded TURN server's default realm.
//
// TURN credentials: external --turn-servers need either --turn-secret (time-limited
// credentials minted per join) or --turn-username with --turn-password, never both.
// The embedded server (--turn-port) checks credentials minted with --turn-secret, or
// with a secret generated at start when none is set.
func (c *Config) parseICE(vals map[string]*string, publicHost string) error {
	var err error
	if c.RTC.TCPPort, err = strconv.Atoi(*vals["rtc-tcp-port"]); err != nil || c.RTC.TCPPort < 0 || c.RTC.TCPPort > 65535 {
		return fmt.Errorf("--rtc-tcp-port: %q is not a port number", *vals["rtc-tcp-port"])
	}
	ice := &c.ICE
	if ice.STUNServers, err = parseICEURLs(*vals["stun-servers"], "stun", "stuns"); err != nil {
		return fmt.Errorf("--stun-servers: %w", err)
	}
	if ice.TURNServers, err = parseICEURLs(*vals["turn-servers"], "turn", "turns"); err != nil {
		return fmt.Errorf("--turn-servers: %w", err)
	}
	ice.TURNUsername, ice.TURNPassword, ice.TURNSecret = *vals["turn-username"], *vals["turn-password"], *vals["turn-secret"]
	static := ice.TURNUsername != "" || ice.TURNPassword != ""
	switch {
	case static && (ice.TURNUsername == "" || ice.TURNPassword == ""):
		return errors.New("--turn-username and --turn-password go together")
	case static && len(ice.TURNServers) == 0:
		return errors.New("--turn-username and --turn-password are for --turn-servers, which is empty")
	case static && ice.TURNSecret != "":
		return errors.New("--turn-secret and --turn-username/--turn-password exclude each other: use one kind of TURN credentials")
	case len(ice.TURNServers) > 0 && !static && ice.TURNSecret == "":
		return errors.New("--turn-servers needs credentials: --turn-secret (time-limited, minted per join; recommended) or --turn-username and --turn-password")
	case ice.TURNSecret != "" && len(ice.TURNSecret) < minTURNSecretLen:
		return fmt.Errorf("--turn-secret must be at least %d characters", minTURNSecretLen)
	}
	if ice.TURNTTL, err = time.ParseDuration(*vals["turn-ttl"]); err != nil || ice.TURNTTL < time.Minute {
		return fmt.Errorf("--turn-ttl: %q is not a duration of at least 1m", *vals["turn-ttl"])
	}

	t := &c.TURN
	if t.Port, err = strconv.Atoi(*vals["turn-port"]); err != nil || t.Port < 0 || t.Port > 65535 {
		return fmt.Errorf("--turn-port: %q is not a port number", *vals["turn-port"])
	}
	if t.Realm = *vals["turn-realm"]; t.Realm == "" {
		t.Realm = publicHost
	}
	if r := *vals["turn-relay-ports"]; r != "" {
		a, b, ok := strings.Cut(r, "-")
		lo, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
		hi, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
		if !ok || err1 != nil || err2 != nil || lo < 1024 || lo > hi {
			return fmt.Errorf("--turn-relay-ports: %q is not a range like 49152-65535 (ports 1024 and above)", r)
		}
		if t.Port == 0 {
			return errors.New("--turn-relay-ports is for the embedded TURN server, which needs --turn-port")
		}
		t.RelayPortMin, t.RelayPortMax = uint16(lo), uint16(hi)
		for _, p := range []struct {
			name string
			port int
		}{{"--turn-port", t.Port}, {"--rtc-udp-port", c.RTC.UDPPort}} {
			if p.port >= int(lo) && p.port <= int(hi) {
				return fmt.Errorf("--turn-relay-ports %s includes %s %d", r, p.name, p.port)
			}
		}
	}
	if t.UserQuota, err = strconv.Atoi(*vals["turn-user-quota"]); err != nil || t.UserQuota < 0 {
		return fmt.Errorf("--turn-user-quota: %q is not a number of allocations (0 = no limit)", *vals["turn-user-quota"])
	}
	if t.AllocationLifetime, err = time.ParseDuration(*vals["turn-allocation-lifetime"]); err != nil || t.AllocationLifetime < time.Minute || t.AllocationLifetime > time.Hour {
		return fmt.Errorf("--turn-allocation-lifetime: %q is not a duration from 1m to 1h", *vals["turn-allocation-lifetime"])
	}
	return c.checkPortClashes()
}

// checkPortClashes refuses two of our listeners on one port and protocol, which would
// otherwise fail at start with a bare "address already in use".
func (c *Config) checkPortClashes() error {
	httpPort := 0
	if _, p, err := net.SplitHostPort(c.HTTP.Listen); err == nil {
		httpPort, _ = strconv.Atoi(p)
	}
	type listener struct {
		flag  string
		proto string
		port  int
	}
	ls := []listener{
		{"--http", "tcp", httpPort},
		{"--rtc-udp-port", "udp", c.RTC.UDPPort},
		{"--rtc-tcp-port", "tcp", c.RTC.TCPPort},
		{"--turn-port", "udp", c.TURN.Port},
		{"--turn-port", "tcp", c.TURN.Port},
	}
	for i, a := range ls {
		for _, b := range ls[i+1:] {
			if a.port != 0 && a.port == b.port && a.proto == b.proto && a.flag != b.flag {
				return fmt.Errorf("%s and %s both want %s port %d", a.flag, b.flag, strings.ToUpper(a.proto), a.port)
			}
		}
	}
	return nil
}
