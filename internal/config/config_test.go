package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParse(t *testing.T) {
	c, err := Parse(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP != ":8080" || c.DataDir != "./data" || c.MongoURI != "" || c.PublicURL != "http://localhost:8080" || !c.PublicURLDefaulted || c.LogLevel != slog.LevelInfo || c.Dev {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Parse([]string{"--http", "127.0.0.1:9000", "--dev"}, env(map[string]string{
		"JISHITONG_HTTP": ":1", "JISHITONG_DATA": "/srv/jst", "JISHITONG_MONGO_URI": "mongodb://db/", "JISHITONG_LOG_LEVEL": "debug",
		"JISHITONG_PUBLIC_URL": "https://meet.example.com/", "JISHITONG_ADMIN_EMAIL": "a@b.c", "JISHITONG_SESSION_TTL": "1h",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP != "127.0.0.1:9000" || c.DataDir != "/srv/jst" || c.MongoURI != "mongodb://db/" || !c.Dev ||
		c.LogLevel != slog.LevelDebug || c.PublicURL != "https://meet.example.com" || c.PublicURLDefaulted || c.AdminEmail != "a@b.c" || c.SessionTTL != time.Hour {
		t.Fatalf("flags and env: %+v", c)
	}
	for _, bad := range [][]string{{"--log-level", "loud"}, {"--public-url", "ftp://x"}, {"--dev", "maybe"}, {"--nope"}, {"extra"}, {"--data", ""}, {"--session-ttl", "1s"}} {
		if _, err := Parse(bad, env(nil)); err == nil {
			t.Errorf("%v accepted", bad)
		}
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
		if err != nil || c.RTCFastSend != tc.want {
			t.Errorf("%v %v: %v, %v; want %v", tc.args, tc.env, c, err, tc.want)
		}
	}
	if _, err := Parse([]string{"--rtc-fast-send=maybe"}, env(nil)); err == nil {
		t.Error("--rtc-fast-send=maybe accepted")
	}
}
