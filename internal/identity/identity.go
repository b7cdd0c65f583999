// Package identity names who asks: the Principal of a request and its account Role.
// It imports nothing heavier than internal/errs, so every plane (the media plane and
// the running meetings included) can name a caller without the auth service and its
// store; internal/auth re-exports these names.
package identity

import (
	"context"

	"github.com/jishitong/jishitong/internal/errs"
)

// Role is what a signed-in account may do.
type Role int

// Roles. Guests of meetings do not hold accounts and have no Role.
const (
	RoleUnknown Role = iota
	RolePlatformAdmin
	RoleEnterpriseAdmin
	RoleMember
)

// String returns the role's stored name.
func (r Role) String() string {
	switch r {
	case RolePlatformAdmin:
		return "platform_admin"
	case RoleEnterpriseAdmin:
		return "enterprise_admin"
	case RoleMember:
		return "member"
	}
	return "unknown"
}

// ParseRole returns the role with stored name s, or RoleUnknown.
func ParseRole(s string) Role {
	switch s {
	case "platform_admin":
		return RolePlatformAdmin
	case "enterprise_admin":
		return RoleEnterpriseAdmin
	case "member":
		return RoleMember
	}
	return RoleUnknown
}

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID       string
	EnterpriseID string // empty for platform admins
	Role         Role
	SessionID    string
	// MustChangePassword is true for a session signed in with a password set for
	// the account (generated at creation or by a reset) that has not been changed
	// yet. Such a session may only read its own account, change the password and
	// sign out: every edge refuses anything else with ErrPasswordChangeRequired.
	MustChangePassword bool
}

// ErrPasswordChangeRequired refuses an operation of a session that must change its
// password first (Principal.MustChangePassword). GraphQL: FORBIDDEN with
// extensions.reason PASSWORD_CHANGE_REQUIRED.
var ErrPasswordChangeRequired = &errs.Error{Kind: errs.KindForbidden,
	Message: "your password was set for you: change it before you continue",
	Details: map[string]any{"reason": "PASSWORD_CHANGE_REQUIRED"}}

// IsPlatformAdmin reports whether p administers the whole platform.
func (p *Principal) IsPlatformAdmin() bool { return p != nil && p.Role == RolePlatformAdmin }

// IsEnterpriseAdmin reports whether p administers their enterprise.
func (p *Principal) IsEnterpriseAdmin() bool { return p != nil && p.Role == RoleEnterpriseAdmin }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, or nil for an anonymous request.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
