package directory

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestNormalize(t *testing.T) {
	emails := map[string]string{" Zhang@Example.COM ": "zhang@example.com", "a@b.cn": "a@b.cn"}
	for in, want := range emails {
		if got, err := normalizeEmail(in); err != nil || got != want {
			t.Errorf("email %q: %q %v", in, got, err)
		}
	}
	if got, err := normalizeEmail(" "); err != nil || got != "" {
		t.Errorf("no email: %q %v (a phone number may stand for it)", got, err)
	}
	for _, bad := range []string{"x", "x@", "@x.cn", "x@localhost", "Zhang <z@x.cn>", "a b@x.cn"} {
		if _, err := normalizeEmail(bad); err == nil {
			t.Errorf("email %q accepted", bad)
		}
	}
	phones := map[string]string{"138 0013 8000": "13800138000", "+86 138-0013-8000": "13800138000", "+44 20 7946 0958": "+442079460958", "": ""}
	for in, want := range phones {
		if got, err := normalizePhone(in); err != nil || got != want {
			t.Errorf("phone %q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"12345", "23800138000", "+0123456789", "phone"} {
		if _, err := normalizePhone(bad); err == nil {
			t.Errorf("phone %q accepted", bad)
		}
	}
	domains := map[string]string{"Meet.Acme.COM.": "meet.acme.com", "a-b.cn": "a-b.cn"}
	for in, want := range domains {
		if got, err := normalizeDomain(in); err != nil || got != want {
			t.Errorf("domain %q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"localhost", "-a.cn", "a..cn", "a_b.cn", "http://a.cn", ""} {
		if _, err := normalizeDomain(bad); err == nil {
			t.Errorf("domain %q accepted", bad)
		}
	}
	if _, err := normalizeEmployeeNo("A-001_x"); err != nil {
		t.Error(err)
	}
	if _, err := normalizeEmployeeNo("工号1"); err == nil {
		t.Error("non-ASCII employee number accepted")
	}
	if got := clean("\u3000 张三\u200b \t"); got != "张三" {
		t.Errorf("clean: %q", got)
	}
}

func TestCursor(t *testing.T) {
	c := encodeCursor("张三", "6b07fc91a9a75cf5f61856c5")
	got, err := decodeCursor(c)
	if err != nil || got.K != "张三" || got.ID != "6b07fc91a9a75cf5f61856c5" {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []string{"", "!!", "e30", "bnVsbA"} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
	f, err := afterFilter(bson.M{"enterpriseId": "e"}, "nameKey", c)
	if err != nil || f["$and"] == nil {
		t.Fatalf("afterFilter: %v %v", f, err)
	}
	for _, a := range []PageArgs{{First: -1}, {First: MaxPageSize + 1}} {
		if _, err := a.limit(); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
	if n, _ := (PageArgs{}).limit(); n != DefaultPageSize {
		t.Errorf("default page size %d", n)
	}
}

func TestSniffLogo(t *testing.T) {
	cases := map[string]string{
		"\x89PNG\r\n\x1a\nrest":        "image/png",
		"\xff\xd8\xff\xe0rest":         "image/jpeg",
		"RIFF\x00\x00\x00\x00WEBPVP8 ": "image/webp",
		"GIF89a":                       "",
		"<svg xmlns=":                  "",
	}
	for in, want := range cases {
		got, _, _ := sniffLogo([]byte(in))
		if got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
