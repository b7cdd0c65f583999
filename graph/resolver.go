// Package graph is the GraphQL edge: schema in schema/, thin resolvers here that
// validate, call one domain method and map the result.
package graph

import (
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/directory"
)

// Resolver is the root resolver; it holds the domain services.
type Resolver struct {
	Auth      *auth.Service
	Directory *directory.Service
	// Importer runs bulk member imports.
	Importer *directory.Importer
	// PublicURL is the base of links the API returns.
	PublicURL string
	// SecureCookies marks the session cookie Secure (public URL is https).
	SecureCookies bool
}
