package auth

import (
	"testing"

	"github.com/jishitong/jishitong/internal/errs"
)

func TestLoginName(t *testing.T) {
	tests := []struct {
		email, phone string
		name         string
		valid        bool
		field        string // of the errs.Invalid error; "" for none
	}{
		{email: " Li@Acme.CN ", name: "li@acme.cn", valid: true},
		{email: "13800138000", name: "13800138000"}, // no '@': names no account
		{phone: "138 0013 8000", name: "13800138000", valid: true},
		{phone: "+8613800138000", name: "13800138000", valid: true},
		{phone: "+86 (138) 0013-8000", name: "13800138000", valid: true},
		{phone: "13800138000", name: "13800138000", valid: true},
		{phone: "+44 20 7946 0958", name: "+442079460958", valid: true},
		{phone: "12345", name: "?12345"},
		{phone: "a@b.cn", name: "?ab.cn"}, // never an email key
		{field: "email"},
		{email: "li@acme.cn", phone: "13800138000", field: "phone"},
	}
	for _, tt := range tests {
		name, valid, err := LoginName(tt.email, tt.phone)
		if tt.field != "" {
			if e, _ := errs.As(err); e == nil || e.Kind != errs.KindInvalid || e.Field != tt.field {
				t.Errorf("LoginName(%q, %q): %v, want invalid %s", tt.email, tt.phone, err, tt.field)
			}
			continue
		}
		if err != nil || name != tt.name || valid != tt.valid {
			t.Errorf("LoginName(%q, %q) = %q %v %v, want %q %v", tt.email, tt.phone, name, valid, err, tt.name, tt.valid)
		}
	}
}
