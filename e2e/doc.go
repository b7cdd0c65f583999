// Package e2e holds the cross-plane tests: each drives a real server (internal/xtest:
// the whole application on loopback ports, the embedded store) through its public
// edges — GraphQL over HTTP and graphql-ws, /rtc with pion peers, mail through a
// local SMTP sink — as clients do. The browser walks are in frontend/e2e; package
// tests sit beside their code.
package e2e
