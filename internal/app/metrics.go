package app

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// instrument counts requests and their latency per route family.
func instrument(reg prometheus.Registerer, next http.Handler) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jishitong_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "jishitong_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	inflight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "jishitong_http_requests_in_flight", Help: "HTTP requests being served, websockets included.",
	})
	reg.MustRegister(requests, duration, inflight)
	handlers := map[string]http.Handler{}
	for _, route := range []string{"graphql", "rtc", "health", "metrics", "api", "branding", "app"} {
		l := prometheus.Labels{"route": route}
		handlers[route] = promhttp.InstrumentHandlerCounter(requests.MustCurryWith(l),
			promhttp.InstrumentHandlerDuration(duration.MustCurryWith(l), next))
	}
	return promhttp.InstrumentHandlerInFlight(inflight, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[route(r.URL.Path)].ServeHTTP(w, r)
	}))
}

// route names the family of a path, keeping label cardinality bounded.
func route(path string) string {
	switch {
	case path == "/graphql":
		return "graphql"
	case path == "/rtc":
		return "rtc"
	case path == "/healthz" || path == "/readyz":
		return "health"
	case path == "/metrics":
		return "metrics"
	case strings.HasPrefix(path, "/api/"):
		return "api"
	case strings.HasPrefix(path, "/branding/"):
		return "branding"
	}
	return "app"
}
