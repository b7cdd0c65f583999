package app

import (
	"log/slog"

	"github.com/jishitong/jishitong/graph"
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/config"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/notify"
	"github.com/jishitong/jishitong/internal/store"
	"github.com/jishitong/jishitong/media/turn"
)

// This file is where the configuration is sliced: each builder takes the planes of
// config.Config a component needs and returns the component's own config type, so no
// component sees the whole configuration (as livekit's pkg/service/wire.go does). The
// media plane's (RTC, ICE, TURN) is rtcConfig in ice.go: it also starts the embedded
// TURN server.

// storeConfig is the store's: where the data lives.
func storeConfig(c config.Store) store.Config {
	return store.Config{MongoURI: c.MongoURI, DataDir: c.DataDir, Database: c.Database}
}

// directoryConfig is the directory's: the data folder its files (logos) go in.
func directoryConfig(c config.Store) directory.Config {
	return directory.Config{DataDir: c.DataDir}
}

// authConfig is the auth service's: how long a login lasts.
func authConfig(c config.Auth) auth.Config {
	return auth.Config{SessionTTL: c.SessionTTL}
}

// notifyConfig is the mail outbox's: the SMTP server and sender, and the public URL
// links in mails start with.
func notifyConfig(m config.Mail, h config.HTTP) notify.Config {
	return notify.Config{SMTPURL: m.SMTPURL, From: m.From, PublicURL: h.PublicURL}
}

// conferenceConfig is the bookings': the platform's capacity, how early a host may
// start, and the public URL of join links.
func conferenceConfig(c config.Conference, h config.HTTP) conference.Config {
	return conference.Config{PlatformCapacity: c.Capacity, EarlyStart: c.EarlyStart, PublicURL: h.PublicURL}
}

// graphConfig is the /graphql handler's: introspection, allowed origins, upload limit.
func graphConfig(h config.HTTP) graph.Config {
	return graph.Config{Dev: h.Dev, PublicURL: h.PublicURL, MaxUploadBytes: h.MaxUploadBytes}
}

// turnConfig is the embedded TURN server's: its port, realm, relays and quotas, and
// from the media plane's slice the address it listens on (loopback when media is) and
// the public address its relays announce. secret checks the credentials clients got.
func turnConfig(t config.TURN, r config.RTC, secret *turn.SharedSecret, log *slog.Logger) turn.Config {
	listenIP := ""
	if r.LoopbackOnly {
		listenIP = "127.0.0.1"
	}
	return turn.Config{
		ListenIP: listenIP, Port: t.Port, RelayIP: r.PublicIP,
		RelayPortMin: t.RelayPortMin, RelayPortMax: t.RelayPortMax,
		Realm: t.Realm, Secret: secret, UserQuota: t.UserQuota, AllocationLifetime: t.AllocationLifetime,
		Logger: log,
	}
}
