// Package auth holds passwords, sessions and the caller's identity and role.
package auth

import "github.com/jishitong/jishitong/internal/identity"

// The caller's identity lives in internal/identity, which the planes that must not
// depend on this package (media, running meetings) import; these names keep it whole
// here.
type (
	// Role is what a signed-in account may do (identity.Role).
	Role = identity.Role
	// Principal is the authenticated caller of a request (identity.Principal).
	Principal = identity.Principal
)

// Roles (identity.Role). Guests of meetings do not hold accounts and have no Role.
const (
	RoleUnknown         = identity.RoleUnknown
	RolePlatformAdmin   = identity.RolePlatformAdmin
	RoleEnterpriseAdmin = identity.RoleEnterpriseAdmin
	RoleMember          = identity.RoleMember
)

// ErrPasswordChangeRequired refuses an operation of a session that must change its
// password first (identity.ErrPasswordChangeRequired).
var ErrPasswordChangeRequired = identity.ErrPasswordChangeRequired

var (
	// ParseRole returns the role with stored name s, or RoleUnknown.
	ParseRole = identity.ParseRole
	// WithPrincipal returns ctx carrying p.
	WithPrincipal = identity.WithPrincipal
	// FromContext returns the caller, or nil for an anonymous request.
	FromContext = identity.FromContext
)
