package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// FanoutConfig configures a run of RunFanout: Subscribers graphql-ws sockets each
// subscribe to one meeting's meetingState, and a driver changes the meeting's layout
// Events times; every subscriber must see every change.
type FanoutConfig struct {
	// URL is the server's base URL.
	URL string
	// Token is a session token of the meeting's host or an admin: the subscribers
	// and the driver use it.
	Token string
	// MeetingID is a meeting in progress.
	MeetingID string
	// Subscribers is how many sockets subscribe (one subscription each).
	Subscribers int
	// Events is how many layout changes the driver makes; Interval is the pause
	// after every subscriber saw one (or after Wait, when some did not).
	Events   int
	Interval time.Duration
	// Wait bounds the wait for one change to reach every subscriber (default 5 s).
	Wait time.Duration
}

// FanoutReport is what RunFanout measured.
type FanoutReport struct {
	Subscribers int `json:"subscribers"`
	Events      int `json:"events"`
	// Delivered counts the layout events the subscribers received, Expected is
	// Subscribers × Events: Lost is the difference.
	Delivered int64 `json:"delivered"`
	Expected  int64 `json:"expected"`
	Lost      int64 `json:"lost"`
	// Latency is from the driver sending the mutation to a subscriber reading the
	// event off its socket, over every delivery.
	LatencyMsP50 float64 `json:"latency_ms_p50"`
	LatencyMsP99 float64 `json:"latency_ms_p99"`
	LatencyMsMax float64 `json:"latency_ms_max"`
	// SubscribeSeconds is how long opening and subscribing every socket took.
	SubscribeSeconds float64 `json:"subscribe_s"`
	// Server holds the server's own figures (absent when /metrics could not be read).
	Server *FanoutServer `json:"server,omitempty"`
}

// FanoutServer is the server's cost of the fan-out, from its /metrics.
type FanoutServer struct {
	// CPUSeconds is the server's CPU while the driver made its changes;
	// CPUMicrosPerDelivered divides it by the events delivered.
	CPUSeconds            float64 `json:"cpu_seconds"`
	CPUMicrosPerDelivered float64 `json:"cpu_us_per_delivered"`
	// HeapBytesPerSubscription and GoroutinesPerSubscription are the growth of the
	// server's live heap and goroutines from before the sockets opened to after every
	// subscription got its first state, divided by Subscribers (the heap figure counts
	// garbage not yet collected too: meaningful with many subscribers).
	HeapBytesPerSubscription  float64 `json:"heap_bytes_per_subscription"`
	GoroutinesPerSubscription float64 `json:"goroutines_per_subscription"`
}

// fanoutQuery selects what a room needs of an update.
const fanoutQuery = `subscription($id:ID!){meetingState(meetingId:$id){seq full{seq mode locked participants{id name mutedByHost selfMuted}} event{seq kind subjectId mode}}}`

// RunFanout measures one meeting's meetingState fan-out.
func RunFanout(ctx context.Context, cfg FanoutConfig) (*FanoutReport, error) {
	if cfg.Subscribers <= 0 || cfg.Events <= 0 {
		return nil, errors.New("loadtest: subscribers and events must be positive")
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 5 * time.Second
	}
	base := strings.TrimRight(cfg.URL, "/")
	before := scrapeFanout(ctx, base)

	rep := &FanoutReport{Subscribers: cfg.Subscribers, Events: cfg.Events, Expected: int64(cfg.Subscribers * cfg.Events)}
	var (
		sent      atomic.Int64 // the driver's send time of the current change, UnixNano
		delivered atomic.Int64
		latMu     sync.Mutex
		lat       = make([]time.Duration, 0, cfg.Subscribers*cfg.Events)
		seen      = make([]atomic.Int64, cfg.Events+1) // deliveries per change
		change    atomic.Int64                         // index of the current change
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	ready := make(chan error, cfg.Subscribers)
	for i := range cfg.Subscribers {
		ws, err := dialSubscriber(ctx, base, cfg.Token, cfg.MeetingID, fmt.Sprint(i+1))
		if err != nil {
			return nil, fmt.Errorf("subscriber %d: %w", i+1, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ws.CloseNow()
			first := true
			for {
				_, msg, err := ws.Read(ctx)
				if err != nil {
					if first {
						ready <- err
					}
					return
				}
				switch {
				case bytes.Contains(msg, []byte(`"type":"next"`)) && first:
					first = false
					ready <- nil
				case bytes.Contains(msg, []byte(`"kind":"layout_mode"`)):
					d := time.Since(time.Unix(0, sent.Load()))
					delivered.Add(1)
					seen[change.Load()].Add(1)
					latMu.Lock()
					lat = append(lat, d)
					latMu.Unlock()
				case bytes.Contains(msg, []byte(`"type":"ping"`)):
					_ = ws.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
				case bytes.Contains(msg, []byte(`"type":"error"`)), bytes.Contains(msg, []byte(`"type":"complete"`)):
					if first {
						ready <- fmt.Errorf("subscribe: %s", msg)
					}
					return
				}
			}
		}()
	}
	for range cfg.Subscribers {
		select {
		case err := <-ready:
			if err != nil {
				return nil, err
			}
		case <-time.After(time.Minute):
			return nil, errors.New("loadtest: subscribers did not get their first state within a minute")
		}
	}
	rep.SubscribeSeconds = round(time.Since(start).Seconds(), 2)
	subscribed := scrapeFanout(ctx, base)

	client := &http.Client{Timeout: 30 * time.Second}
	modes := []string{"GRID_2X2", "ONE_PLUS_SEVEN"}
	cpu0 := scrapeFanout(ctx, base)
	for i := 1; i <= cfg.Events; i++ {
		change.Store(int64(i))
		sent.Store(time.Now().UnixNano())
		if err := setLayout(ctx, client, base, cfg.Token, cfg.MeetingID, modes[(i+1)%2]); err != nil { // GRID_2X2 first: 1+7 is the default
			return nil, fmt.Errorf("change %d: %w", i, err)
		}
		for deadline := time.Now().Add(cfg.Wait); seen[i].Load() < int64(cfg.Subscribers) && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(cfg.Interval)
	}
	cpu1 := scrapeFanout(ctx, base)

	rep.Delivered = delivered.Load()
	rep.Lost = rep.Expected - rep.Delivered
	latMu.Lock()
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		ms := func(d time.Duration) float64 { return round(float64(d)/1e6, 2) }
		rep.LatencyMsP50, rep.LatencyMsP99, rep.LatencyMsMax = ms(lat[n/2]), ms(lat[min(n-1, n*99/100)]), ms(lat[n-1])
	}
	latMu.Unlock()
	if before.ok && subscribed.ok && cpu0.ok && cpu1.ok {
		s := &FanoutServer{CPUSeconds: round(cpu1.cpuSeconds-cpu0.cpuSeconds, 3),
			HeapBytesPerSubscription:  round((subscribed.liveHeap-before.liveHeap)/float64(cfg.Subscribers), 0),
			GoroutinesPerSubscription: round((subscribed.goroutines-before.goroutines)/float64(cfg.Subscribers), 2)}
		if rep.Delivered > 0 {
			s.CPUMicrosPerDelivered = round(s.CPUSeconds*1e6/float64(rep.Delivered), 2)
		}
		rep.Server = s
	}
	return rep, nil
}

// dialSubscriber opens a graphql-transport-ws socket and subscribes it.
func dialSubscriber(ctx context.Context, base, token, meetingID, id string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"token": token}})
	if err := ws.Write(dctx, websocket.MessageText, init); err != nil {
		ws.CloseNow()
		return nil, err
	}
	_, ack, err := ws.Read(dctx)
	if err != nil || !bytes.Contains(ack, []byte(`"connection_ack"`)) {
		ws.CloseNow()
		return nil, fmt.Errorf("connection_init: %s %v", ack, err)
	}
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{"query": fanoutQuery, "variables": map[string]any{"id": meetingID}}})
	if err := ws.Write(dctx, websocket.MessageText, sub); err != nil {
		ws.CloseNow()
		return nil, err
	}
	return ws, nil
}

// setLayout is the driver's control: one setLayout mutation.
func setLayout(ctx context.Context, c *http.Client, base, token, meetingID, mode string) error {
	body, _ := json.Marshal(map[string]any{"query": `mutation($id:ID!,$m:LayoutMode!){setLayout(meetingId:$id,mode:$m){mode}}`,
		"variables": map[string]any{"id": meetingID, "m": mode}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	if len(out.Errors) > 0 {
		return fmt.Errorf("setLayout: %s", out.Errors[0].Message)
	}
	return nil
}

// fanoutSample is what RunFanout reads of the server's /metrics.
type fanoutSample struct {
	ok                               bool
	cpuSeconds, liveHeap, goroutines float64
}

// scrapeFanout reads the server's CPU, heap in use (live and not yet collected) and
// goroutines.
func scrapeFanout(ctx context.Context, base string) fanoutSample {
	vals, ok := scrapeMetrics(ctx, base, "process_cpu_seconds_total", "go_memstats_heap_alloc_bytes", "go_goroutines")
	if !ok {
		return fanoutSample{}
	}
	return fanoutSample{ok: true, cpuSeconds: vals[0], liveHeap: vals[1], goroutines: vals[2]}
}
