package config

import (
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v4"
)

func TestICEURLs(t *testing.T) {
	valid := []struct{ in, want string }{
		{"stun:stun.example.com", ""},
		{"stun:stun.example.com:3478", ""},
		{"STUN:stun.l.google.com:19302", "stun:stun.l.google.com:19302"},
		{"stuns:stun.example.com:5349", ""},
		{"stun:192.0.2.1:3478", ""},
		{"stun:[2001:db8::1]:3478", ""},
		{"stun:[2001:db8::1]", ""},
		{"turn:turn.example.com", ""},
		{"turn:turn.example.com:3478?transport=udp", ""},
		{"turn:turn.example.com:3478?transport=tcp", ""},
		{"Turn:203.0.113.7:443?transport=tcp", "turn:203.0.113.7:443?transport=tcp"},
		{"turns:turn.example.com:443?transport=tcp", ""},
		{"turns:turn.example.com", ""},
		{"turn:my_host.internal:3478", ""},
	}
	for _, tc := range valid {
		scheme := "stun"
		if strings.HasPrefix(strings.ToLower(tc.in), "turn") {
			scheme = "turn"
		}
		got, err := checkICEURL(tc.in, scheme, scheme+"s")
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if want := tc.want; want != "" && got != want || want == "" && got != tc.in {
			t.Errorf("%s: normalized to %s", tc.in, got)
		}
		// What we accept, pion (the server's own agents) parses too.
		if _, err := stun.ParseURI(got); err != nil {
			t.Errorf("%s: pion refuses it: %v", got, err)
		}
	}

	invalid := []struct{ in, why string }{
		{"stun.example.com:3478", "scheme"},
		{"http://stun.example.com", "scheme"},
		{"turn:turn.example.com", "scheme"}, // in the STUN list
		{"stun://stun.example.com:3478", `no "//"`},
		{"stun:user@stun.example.com", "no user"},
		{"stun:stun.example.com:3478?transport=udp", "no query"},
		{"stun:", "no host"},
		{"stun:stun.example.com:", "empty port"},
		{"stun:stun.example.com:0", "not 1-65535"},
		{"stun:stun.example.com:65536", "not 1-65535"},
		{"stun:stun.example.com:34x", "not 1-65535"},
		{"stun:2001:db8::1", "not 1-65535"},
		{"stun:[2001:db8::1", "unclosed"},
		{"stun:[192.0.2.1]:3478", "not an IPv6"},
		{"stun:[2001:db8::1]x", "unexpected"},
		{"stun:[2001:db8::1]:", "empty port"},
		{"stun:bad..name", "not a host name"},
		{"stun:-bad.example.com", "not a host name"},
		{"stun:bad host", "not a host name"},
		{"stun:stun.example.com/path", "not a host name"},
		{"stun:" + strings.Repeat("a", 600), "longer than"},
	}
	for _, tc := range invalid {
		if _, err := checkICEURL(tc.in, "stun", "stuns"); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v, want an error about %q", tc.in, err, tc.why)
		}
	}
	for _, tc := range []struct{ in, why string }{
		{"stun:stun.example.com", "scheme must be turn: or turns:"},
		{"turn:turn.example.com?transport=sctp", "not udp or tcp"},
		{"turn:turn.example.com?proto=udp", "only query"},
		{"turns:turn.example.com?transport=udp", "DTLS"},
		{"turn:turn.example.com:3478?transport=", "not udp or tcp"},
	} {
		if _, err := checkICEURL(tc.in, "turn", "turns"); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v, want an error about %q", tc.in, err, tc.why)
		}
	}
}

func TestParseICE(t *testing.T) {
	c, err := Parse(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.RTC.TCPPort != 0 || c.TURN.Port != 0 || c.ICE.STUNServers != nil || c.ICE.TURNServers != nil || c.ICE.TURNTTL != 12*time.Hour ||
		c.TURN.Realm != "localhost" || c.TURN.UserQuota != 10 || c.TURN.AllocationLifetime != 10*time.Minute {
		t.Fatalf("defaults: %+v", c)
	}

	c, err = Parse([]string{
		"--rtc-udp-port", "7882", "--rtc-tcp-port", "7882", "--stun-servers", " stun:a.example.com:3478, STUN:b.example.com ",
		"--turn-servers", "turn:t.example.com:3478?transport=udp,turns:t.example.com:443?transport=tcp",
		"--turn-port", "3478", "--turn-relay-ports", "50000-50999", "--turn-user-quota", "4", "--turn-allocation-lifetime", "5m",
	}, env(map[string]string{"JISHITONG_TURN_SECRET": "0123456789abcdef", "JISHITONG_TURN_TTL": "1h", "JISHITONG_PUBLIC_URL": "https://meet.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RTC.TCPPort != 7882 || len(c.ICE.STUNServers) != 2 || c.ICE.STUNServers[1] != "stun:b.example.com" || len(c.ICE.TURNServers) != 2 ||
		c.ICE.TURNSecret != "0123456789abcdef" || c.ICE.TURNTTL != time.Hour || c.TURN.Port != 3478 || c.TURN.Realm != "meet.example.com" ||
		c.TURN.RelayPortMin != 50000 || c.TURN.RelayPortMax != 50999 || c.TURN.UserQuota != 4 || c.TURN.AllocationLifetime != 5*time.Minute {
		t.Fatalf("flags: %+v", c)
	}
	c, err = Parse([]string{"--turn-servers", "turn:t.example.com", "--turn-username", "u", "--turn-password", "p"}, env(nil))
	if err != nil || c.ICE.TURNUsername != "u" || c.ICE.TURNPassword != "p" {
		t.Fatalf("static credentials: %+v %v", c, err)
	}

	const secret = "--turn-secret=0123456789abcdef"
	for _, tc := range []struct {
		args []string
		why  string
	}{
		{[]string{"--rtc-tcp-port", "70000"}, "--rtc-tcp-port"},
		{[]string{"--stun-servers", "stun.example.com"}, "--stun-servers"},
		{[]string{"--stun-servers", "turn:t.example.com"}, "--stun-servers"},
		{[]string{"--stun-servers", strings.Repeat("stun:s.example.com,", 9)}, "at most 8"},
		{[]string{"--turn-servers", "turn://t.example.com", secret}, "--turn-servers"},
		{[]string{"--turn-servers", "turn:t.example.com"}, "needs credentials"},
		{[]string{"--turn-servers", "turn:t.example.com", "--turn-username", "u"}, "go together"},
		{[]string{"--turn-username", "u", "--turn-password", "p"}, "--turn-servers, which is empty"},
		{[]string{"--turn-servers", "turn:t.example.com", "--turn-username", "u", "--turn-password", "p", secret}, "exclude each other"},
		{[]string{"--turn-port", "3478", "--turn-secret", "short"}, "at least 16"},
		{[]string{"--turn-ttl", "30s"}, "--turn-ttl"},
		{[]string{"--turn-port", "-1"}, "--turn-port"},
		{[]string{"--turn-relay-ports", "50000-50999"}, "needs --turn-port"},
		{[]string{"--turn-port", "3478", "--turn-relay-ports", "50999-50000"}, "not a range"},
		{[]string{"--turn-port", "3478", "--turn-relay-ports", "80-90"}, "not a range"},
		{[]string{"--turn-port", "50010", "--turn-relay-ports", "50000-50999"}, "includes --turn-port"},
		{[]string{"--turn-port", "3478", "--rtc-udp-port", "50010", "--turn-relay-ports", "50000-50999"}, "includes --rtc-udp-port"},
		{[]string{"--turn-user-quota", "-1"}, "--turn-user-quota"},
		{[]string{"--turn-allocation-lifetime", "2h"}, "1m to 1h"},
		{[]string{"--turn-port", "7882", "--rtc-udp-port", "7882"}, "both want UDP port 7882"},
		{[]string{"--turn-port", "7881", "--rtc-tcp-port", "7881"}, "both want TCP port 7881"},
		{[]string{"--rtc-tcp-port", "8080"}, "--http and --rtc-tcp-port both want TCP port 8080"},
	} {
		if _, err := Parse(tc.args, env(nil)); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%v: %v, want an error about %q", tc.args, err, tc.why)
		}
	}
}
