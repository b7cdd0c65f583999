package config

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// maxICEURLs is how many URLs one ICE server entry may carry in the /rtc joined
// message (docs/rtc-protocol.md); maxICEURLLen is the longest URL it accepts.
const (
	maxICEURLs   = 8
	maxICEURLLen = 512
)

// parseICEURLs splits a comma-separated list and checks each URL's syntax for one of
// the given schemes, returning the URLs with their scheme in lower case.
func parseICEURLs(list string, schemes ...string) ([]string, error) {
	var out []string
	for _, u := range strings.Split(list, ",") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		n, err := checkICEURL(u, schemes...)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", u, err)
		}
		out = append(out, n)
	}
	if len(out) > maxICEURLs {
		return nil, fmt.Errorf("%d URLs; at most %d", len(out), maxICEURLs)
	}
	return out, nil
}

// checkICEURL checks u against the syntax of RFC 7064 §3.1 (stun:, stuns:) and RFC 7065
// §3.1 (turn:, turns:):
//
//	stunURI = scheme ":" host [ ":" port ]
//	turnURI = scheme ":" host [ ":" port ] [ "?transport=" transport ]
//
// with host an IPv4 address, a bracketed IPv6 address or a host name. Transports
// other than udp and tcp, and turns: over udp (DTLS), are refused because no browser
// speaks them. It returns u with its scheme in lower case (schemes are
// case-insensitive, RFC 3986 §3.1; pion accepts only lower case).
func checkICEURL(u string, schemes ...string) (string, error) {
	if len(u) > maxICEURLLen {
		return "", fmt.Errorf("longer than %d characters", maxICEURLLen)
	}
	scheme, rest, ok := strings.Cut(u, ":")
	scheme = strings.ToLower(scheme)
	if !ok || !slices.Contains(schemes, scheme) {
		return "", fmt.Errorf("the scheme must be %s", strings.Join(schemes, ": or ")+":")
	}
	isTURN := scheme == "turn" || scheme == "turns"
	rfc := "RFC 7064"
	if isTURN {
		rfc = "RFC 7065"
	}
	if strings.HasPrefix(rest, "//") {
		return "", fmt.Errorf("no \"//\" after %s: — write %s:host:port (%s)", scheme, scheme, rfc)
	}
	if strings.Contains(rest, "@") {
		return "", fmt.Errorf("no user in the URL (%s); TURN credentials have their own settings", rfc)
	}
	hostport, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		if !isTURN {
			return "", fmt.Errorf("%s: URLs take no query (%s)", scheme, rfc)
		}
		transport, ok := strings.CutPrefix(query, "transport=")
		if !ok {
			return "", fmt.Errorf("the only query is ?transport=udp or ?transport=tcp (%s)", rfc)
		}
		switch strings.ToLower(transport) {
		case "tcp":
		case "udp":
			if scheme == "turns" {
				return "", errors.New("turns: over udp (DTLS) is not supported by browsers; use ?transport=tcp")
			}
		default:
			return "", fmt.Errorf("transport %q is not udp or tcp", transport)
		}
	}
	if err := checkHostPort(hostport); err != nil {
		return "", fmt.Errorf("%w (%s)", err, rfc)
	}
	return scheme + ":" + rest, nil
}

// checkHostPort checks host [ ":" port ] of RFC 3986 §3.2.2, host names restricted to
// letters, digits, '-', '_' and dots.
func checkHostPort(hp string) error {
	var port string
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return errors.New("unclosed [ in the host")
		}
		a, err := netip.ParseAddr(hp[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return fmt.Errorf("%q is not an IPv6 address", hp[1:end])
		}
		after := hp[end+1:]
		if after != "" && after[0] != ':' {
			return fmt.Errorf("unexpected %q after the host", after)
		}
		if after == ":" {
			return errors.New("empty port")
		}
		port = strings.TrimPrefix(after, ":")
	} else {
		host, p, hasPort := strings.Cut(hp, ":")
		port = p
		if hasPort && port == "" {
			return errors.New("empty port")
		}
		if err := checkHostName(host); err != nil {
			return err
		}
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || strings.TrimLeft(port, "0123456789") != "" {
			return fmt.Errorf("port %q is not 1-65535", port)
		}
	}
	return nil
}

func checkHostName(h string) error {
	if h == "" {
		return errors.New("no host")
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if !a.Is4() {
			return fmt.Errorf("IPv6 address %q must be in brackets", h)
		}
		return nil
	}
	if len(h) > 253 {
		return errors.New("host name longer than 253 characters")
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q is not a host name", h)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("%q is not a host name", h)
			}
		}
	}
	return nil
}
