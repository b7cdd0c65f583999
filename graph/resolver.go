// Package graph is the GraphQL edge: schema in schema/, thin resolvers here that
// validate, call one domain method and map the result.
package graph

import (
	"net/url"

	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/meeting"
)

// Resolver is the root resolver; it holds the domain services, each through the
// interface the resolvers declare for it (services.go).
type Resolver struct {
	Auth      Auth
	Directory Directory
	// Conference holds rooms, meetings, resources and history.
	Conference Conference
	// Meetings is the coordinator of running meetings: every control goes through it.
	Meetings *meeting.Service
	// Importer runs bulk member imports.
	Importer Importer
	// PublicURL is the base of links the API returns.
	PublicURL string
	// SecureCookies marks the session cookie Secure (public URL is https).
	SecureCookies bool
	// ICEServers returns the STUN/TURN servers handed to a joining client, TURN
	// credentials freshly minted; nil or an empty result lets clients use host
	// candidates only.
	ICEServers func() []*model.IceServer

	// opLoaders are the loaders of websocket operations (loaders.go).
	opLoaders operationLoaders
}

func (r *Resolver) iceServers() []*model.IceServer {
	if r.ICEServers == nil {
		return []*model.IceServer{}
	}
	if s := r.ICEServers(); s != nil {
		return s
	}
	return []*model.IceServer{}
}

// sipDomain is the host SIP terminals dial meetings at.
func (r *Resolver) sipDomain() string {
	if u, err := url.Parse(r.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}
