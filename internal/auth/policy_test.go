package auth

import (
	"strings"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	personal := []string{"zhang.wei@acme.example", "Zhang Wei"}
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{strings.Repeat("x", 200) + "Q1!", false},
		{"password", false},
		{"Password", false},
		{"PASSWORD123", false},
		{"password2024!", false},
		{"12345678", false},
		{"123456789", false},
		{"87654321", false},
		{"78901234", false},
		{"abcdefgh", false},
		{"aaaaaaaa", false},
		{"abababab", false},
		{"12341234", false},
		{"qwertyuiop", false},
		{"1qaz2wsx", false},
		{"iloveyou", false},
		{"woaini1314", false},
		{"5201314520", false},
		{"jishitong", false},
		{"Jishitong2026", false},
		{"zhang.wei", false},
		{"zhangwei2024", false},
		{"zhang.wei@acme.example", false},
		{"long enough", true},
		{"zhang-password-1", true},
		{"bench-password-1", true},
		{"correct horse battery", true},
		{"马上开会吧朋友们", true},
		{"Tr0ub4dor&3", true},
	} {
		err := CheckPasswordPolicy(tc.pw, personal...)
		if (err == nil) != tc.ok {
			t.Errorf("%.20q: %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

func TestCommonPasswordList(t *testing.T) {
	if n := len(commonPasswords); n < 300 {
		t.Fatalf("%d common passwords embedded", n)
	}
	for w := range commonPasswords {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w {
			t.Errorf("list entry %q is not lower case and trimmed", w)
		}
	}
}
