package config

import (
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestDefaults reads the whole configuration with no flag and no variable: every
// plane holds the defaults README's table and --help promise.
func TestDefaults(t *testing.T) {
	c, err := Parse(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Log: Log{Level: slog.LevelInfo, Format: "text"},
		HTTP: HTTP{Listen: ":8080", PublicURL: "http://localhost:8080", PublicURLDefaulted: true,
			ShutdownTimeout: 15 * time.Second, MaxUploadBytes: 8 << 20},
		Store:      Store{DataDir: "./data", Database: "jishitong"},
		Auth:       Auth{SessionTTL: 72 * time.Hour},
		Conference: Conference{Capacity: 1000},
		RTC:        RTC{FastSend: true},
		ICE:        ICE{TURNTTL: 12 * time.Hour},
		TURN:       TURN{Realm: "localhost", UserQuota: 10, AllocationLifetime: 10 * time.Minute},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

// planeTest gives a flag a value other than its default and says where it must land.
type planeTest struct {
	flag   string
	value  string
	extra  []string // flags the value needs to be valid (a TURN username needs its servers)
	planes []string // the planes of Config the flag may change
	get    func(*Config) any
	want   any
}

var planeTests = []planeTest{
	{"http", "127.0.0.1:9000", nil, []string{"HTTP"}, func(c *Config) any { return []any{c.HTTP.Listen, c.HTTP.PublicURL} }, []any{"127.0.0.1:9000", "http://localhost:9000"}},
	{"data", "/srv/jst", nil, []string{"Store"}, func(c *Config) any { return c.Store.DataDir }, "/srv/jst"},
	{"mongo-uri", "mongodb://db/", nil, []string{"Store"}, func(c *Config) any { return c.Store.MongoURI }, "mongodb://db/"},
	{"mongo-database", "jst2", nil, []string{"Store"}, func(c *Config) any { return c.Store.Database }, "jst2"},
	{"public-url", "https://meet.example.com/", nil, []string{"HTTP", "TURN"},
		func(c *Config) any {
			return []any{c.HTTP.PublicURL, c.HTTP.PublicURLDefaulted, c.HTTP.SecureCookies, c.TURN.Realm}
		},
		[]any{"https://meet.example.com", false, true, "meet.example.com"}},
	{"log-level", "debug", nil, []string{"Log"}, func(c *Config) any { return c.Log.Level }, slog.LevelDebug},
	{"log-format", "json", nil, []string{"Log"}, func(c *Config) any { return c.Log.Format }, "json"},
	{"dev", "true", nil, []string{"HTTP"}, func(c *Config) any { return c.HTTP.Dev }, true},
	{"shutdown-timeout", "3s", nil, []string{"HTTP"}, func(c *Config) any { return c.HTTP.ShutdownTimeout }, 3 * time.Second},
	{"session-ttl", "1h", nil, []string{"Auth"}, func(c *Config) any { return c.Auth.SessionTTL }, time.Hour},
	{"max-upload", "2048", nil, []string{"HTTP"}, func(c *Config) any { return c.HTTP.MaxUploadBytes }, int64(2048)},
	{"rtc-udp-port", "7882", nil, []string{"RTC"}, func(c *Config) any { return c.RTC.UDPPort }, 7882},
	{"rtc-fast-send", "false", nil, []string{"RTC"}, func(c *Config) any { return c.RTC.FastSend }, false},
	{"rtc-tcp-port", "7881", nil, []string{"RTC"}, func(c *Config) any { return c.RTC.TCPPort }, 7881},
	{"rtc-public-ip", "203.0.113.7", nil, []string{"RTC"}, func(c *Config) any { return c.RTC.PublicIP }, "203.0.113.7"},
	{"rtc-loopback-only", "true", nil, []string{"RTC"}, func(c *Config) any { return c.RTC.LoopbackOnly }, true},
	{"stun-servers", " stun:a.example.com:3478, STUN:b.example.com ", nil, []string{"ICE"},
		func(c *Config) any { return c.ICE.STUNServers }, []string{"stun:a.example.com:3478", "stun:b.example.com"}},
	{"turn-servers", "turn:t.example.com?transport=udp,turns:t.example.com:443?transport=tcp", []string{"--turn-secret=0123456789abcdef"}, []string{"ICE"},
		func(c *Config) any { return c.ICE.TURNServers }, []string{"turn:t.example.com?transport=udp", "turns:t.example.com:443?transport=tcp"}},
	{"turn-username", "u", []string{"--turn-servers=turn:t.example.com", "--turn-password=p"}, []string{"ICE"},
		func(c *Config) any { return c.ICE.TURNUsername }, "u"},
	{"turn-password", "p", []string{"--turn-servers=turn:t.example.com", "--turn-username=u"}, []string{"ICE"},
		func(c *Config) any { return c.ICE.TURNPassword }, "p"},
	{"turn-secret", "0123456789abcdef", nil, []string{"ICE"}, func(c *Config) any { return c.ICE.TURNSecret }, "0123456789abcdef"},
	{"turn-ttl", "1h", nil, []string{"ICE"}, func(c *Config) any { return c.ICE.TURNTTL }, time.Hour},
	{"turn-port", "3478", nil, []string{"TURN"}, func(c *Config) any { return c.TURN.Port }, 3478},
	{"turn-realm", "turn.example.com", nil, []string{"TURN"}, func(c *Config) any { return c.TURN.Realm }, "turn.example.com"},
	{"turn-relay-ports", "50000-50999", []string{"--turn-port=3478"}, []string{"TURN"},
		func(c *Config) any { return []uint16{c.TURN.RelayPortMin, c.TURN.RelayPortMax} }, []uint16{50000, 50999}},
	{"turn-user-quota", "4", nil, []string{"TURN"}, func(c *Config) any { return c.TURN.UserQuota }, 4},
	{"turn-allocation-lifetime", "5m", nil, []string{"TURN"}, func(c *Config) any { return c.TURN.AllocationLifetime }, 5 * time.Minute},
	{"capacity", "50", nil, []string{"Conference"}, func(c *Config) any { return c.Conference.Capacity }, 50},
	{"early-start", "30m", nil, []string{"Conference"}, func(c *Config) any { return c.Conference.EarlyStart }, 30 * time.Minute},
	{"smtp-url", "smtp://u:p@mail.example.com:587", nil, []string{"Mail"}, func(c *Config) any { return c.Mail.SMTPURL }, "smtp://u:p@mail.example.com:587"},
	{"smtp-from", "noreply@example.com", nil, []string{"Mail"}, func(c *Config) any { return c.Mail.From }, "noreply@example.com"},
}

// TestEachFlagLandsInItsPlane sets every flag, then its environment variable, and
// checks the value lands in its plane's field and changes no other plane; and that
// the flag wins over a variable that would not even be valid.
func TestEachFlagLandsInItsPlane(t *testing.T) {
	for _, o := range options {
		if !slices.ContainsFunc(planeTests, func(p planeTest) bool { return p.flag == o.name }) {
			t.Errorf("--%s has no row in planeTests", o.name)
		}
	}
	optionOf := func(name string) option {
		for _, o := range options {
			if o.name == name {
				return o
			}
		}
		t.Fatalf("no option --%s", name)
		return option{}
	}
	for _, tc := range planeTests {
		t.Run(tc.flag, func(t *testing.T) {
			o := optionOf(tc.flag)
			base, err := Parse(nil, env(nil))
			if err != nil {
				t.Fatal(err)
			}
			for _, how := range []struct {
				name string
				args []string
				env  map[string]string
			}{
				{"flag", append([]string{"--" + tc.flag + "=" + tc.value}, tc.extra...), nil},
				{"env", tc.extra, map[string]string{o.env: tc.value}},
				{"flag over env", append([]string{"--" + tc.flag + "=" + tc.value}, tc.extra...), map[string]string{o.env: "x-from-env"}},
			} {
				c, err := Parse(how.args, env(how.env))
				if err != nil {
					t.Fatalf("%s: %v", how.name, err)
				}
				if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: got %#v, want %#v", how.name, got, tc.want)
				}
				// Every other plane keeps its defaults (extra stay in the flag's planes).
				cv, bv := reflect.ValueOf(c).Elem(), reflect.ValueOf(base).Elem()
				for i := range cv.NumField() {
					name := cv.Type().Field(i).Name
					if !slices.Contains(tc.planes, name) && !reflect.DeepEqual(cv.Field(i).Interface(), bv.Field(i).Interface()) {
						t.Errorf("%s: --%s changed the %s plane: %+v", how.name, tc.flag, name, cv.Field(i).Interface())
					}
				}
			}
		})
	}
}

// TestBootstrapAdmin reads the platform admin from the environment only.
func TestBootstrapAdmin(t *testing.T) {
	c, err := Parse(nil, env(map[string]string{"JISHITONG_ADMIN_EMAIL": "a@b.c", "JISHITONG_ADMIN_PASSWORD": "a long secret"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth != (Auth{SessionTTL: 72 * time.Hour, AdminEmail: "a@b.c", AdminPassword: "a long secret"}) {
		t.Fatalf("auth: %+v", c.Auth)
	}
}

// TestValidationMessages pins the refusals word for word: they are part of the CLI.
// The messages are those of the flat configuration before it was split by plane.
func TestValidationMessages(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string
	}{
		{"--log-level loud", `--log-level: "loud" is not debug, info, warn or error`},
		{"--log-format xml", `--log-format: "xml" is not text or json`},
		{"--dev maybe", `unexpected argument "maybe"`},
		{"--dev=maybe", `--dev: "maybe" is not a boolean`},
		{"--shutdown-timeout 0s", `--shutdown-timeout: "0s" is not a positive duration`},
		{"--shutdown-timeout x", `--shutdown-timeout: "x" is not a positive duration`},
		{"--session-ttl 1s", `--session-ttl: "1s" is not a duration of at least 1m`},
		{"--max-upload 10", `--max-upload: "10" is not a byte count of at least 1024`},
		{"--capacity 0", `--capacity: "0" is not a positive number`},
		{"--early-start 10s", `--early-start: "10s" is not any or a duration of at least 1m`},
		{"--early-start soon", `--early-start: "soon" is not any or a duration of at least 1m`},
		{"--rtc-udp-port 70000", `--rtc-udp-port: "70000" is not a port number`},
		{"--rtc-fast-send=maybe", `--rtc-fast-send: "maybe" is not a boolean`},
		{"--rtc-public-ip ::1", `--rtc-public-ip: "::1" is not an IPv4 address`},
		{"--rtc-public-ip nope", `--rtc-public-ip: "nope" is not an IPv4 address`},
		{"--rtc-loopback-only=maybe", `--rtc-loopback-only: "maybe" is not a boolean`},
		{"--data=", `--data must not be empty`},
		{"--public-url ftp://x", `--public-url: "ftp://x" is not an http(s) URL`},
		{"--public-url http://", `--public-url: "http://" is not an http(s) URL`},
		{"--rtc-tcp-port 70000", `--rtc-tcp-port: "70000" is not a port number`},
		{"--stun-servers stun.example.com", `--stun-servers: "stun.example.com": the scheme must be stun: or stuns:`},
		{"--stun-servers turn:t.example.com", `--stun-servers: "turn:t.example.com": the scheme must be stun: or stuns:`},
		{"--turn-servers turn://t.example.com --turn-secret=0123456789abcdef", `--turn-servers: "turn://t.example.com": no "//" after turn: — write turn:host:port (RFC 7065)`},
		{"--turn-servers turn:t.example.com", `--turn-servers needs credentials: --turn-secret (time-limited, minted per join; recommended) or --turn-username and --turn-password`},
		{"--turn-servers turn:t.example.com --turn-username u", `--turn-username and --turn-password go together`},
		{"--turn-username u --turn-password p", `--turn-username and --turn-password are for --turn-servers, which is empty`},
		{"--turn-servers turn:t.example.com --turn-username u --turn-password p --turn-secret=0123456789abcdef", `--turn-secret and --turn-username/--turn-password exclude each other: use one kind of TURN credentials`},
		{"--turn-port 3478 --turn-secret short", `--turn-secret must be at least 16 characters`},
		{"--turn-ttl 30s", `--turn-ttl: "30s" is not a duration of at least 1m`},
		{"--turn-port -1", `--turn-port: "-1" is not a port number`},
		{"--turn-relay-ports 50000-50999", `--turn-relay-ports is for the embedded TURN server, which needs --turn-port`},
		{"--turn-port 3478 --turn-relay-ports 50999-50000", `--turn-relay-ports: "50999-50000" is not a range like 49152-65535 (ports 1024 and above)`},
		{"--turn-port 3478 --turn-relay-ports 80-90", `--turn-relay-ports: "80-90" is not a range like 49152-65535 (ports 1024 and above)`},
		{"--turn-port 50010 --turn-relay-ports 50000-50999", `--turn-relay-ports 50000-50999 includes --turn-port 50010`},
		{"--turn-port 3478 --rtc-udp-port 50010 --turn-relay-ports 50000-50999", `--turn-relay-ports 50000-50999 includes --rtc-udp-port 50010`},
		{"--turn-user-quota -1", `--turn-user-quota: "-1" is not a number of allocations (0 = no limit)`},
		{"--turn-allocation-lifetime 2h", `--turn-allocation-lifetime: "2h" is not a duration from 1m to 1h`},
		{"--turn-port 7882 --rtc-udp-port 7882", `--rtc-udp-port and --turn-port both want UDP port 7882`},
		{"--turn-port 7881 --rtc-tcp-port 7881", `--rtc-tcp-port and --turn-port both want TCP port 7881`},
		{"--rtc-tcp-port 8080", `--http and --rtc-tcp-port both want TCP port 8080`},
		{"--nope", `flag provided but not defined: -nope (see jishitong serve --help)`},
		{"extra", `unexpected argument "extra"`},
		{"--http", `flag needs an argument: -http (see jishitong serve --help)`},
	} {
		_, err := Parse(strings.Fields(tc.args), env(nil))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v\nwant %s", tc.args, err, tc.want)
		}
	}
	// A variable is checked like its flag.
	if _, err := Parse(nil, env(map[string]string{"JISHITONG_CAPACITY": "none"})); err == nil || err.Error() != `--capacity: "none" is not a positive number` {
		t.Errorf("JISHITONG_CAPACITY=none: %v", err)
	}
}

func TestUsageNamesEveryVariable(t *testing.T) {
	var b strings.Builder
	Usage(&b)
	for _, o := range options {
		if !strings.Contains(b.String(), o.env) || !strings.Contains(b.String(), "--"+o.name) {
			t.Errorf("usage lacks %s / %s", o.name, o.env)
		}
	}
}

func TestRTCFastSend(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, nil, true},
		{[]string{"--rtc-fast-send=false"}, nil, false},
		{nil, map[string]string{"JISHITONG_RTC_FAST_SEND": "false"}, false},
		{[]string{"--rtc-fast-send"}, map[string]string{"JISHITONG_RTC_FAST_SEND": "false"}, true},
	} {
		c, err := Parse(tc.args, env(tc.env))
		if err != nil || c.RTC.FastSend != tc.want {
			t.Errorf("%v %v: %v, %v; want %v", tc.args, tc.env, c, err, tc.want)
		}
	}
	if _, err := Parse([]string{"--rtc-fast-send=maybe"}, env(nil)); err == nil {
		t.Error("--rtc-fast-send=maybe accepted")
	}
}
