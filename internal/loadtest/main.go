package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	ossignal "os/signal"
	"syscall"
	"time"
)

// Main runs `jishitong loadtest` with args (without the command name) and returns the
// exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jishitong loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var asJSON bool
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "server base URL")
	fs.StringVar(&cfg.Meeting, "meeting", "", "meeting number (required)")
	fs.StringVar(&cfg.Password, "password", "", "meeting password")
	fs.IntVar(&cfg.Publishers, "publishers", 2, "participants that send audio and video")
	fs.IntVar(&cfg.Subscribers, "subscribers", 4, "participants that only receive")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "measurement window after everyone joined")
	fs.IntVar(&cfg.VideoKbps, "video-kbps", 1000, "video bitrate of each publisher's top layer")
	fs.BoolVar(&cfg.Simulcast, "simulcast", true, "publish video in three simulcast layers (10%, 30%, 100% of --video-kbps)")
	fs.BoolVar(&cfg.LoopbackOnly, "loopback-only", false, "restrict ICE to 127.0.0.1")
	fs.BoolVar(&asJSON, "json", false, "print only a JSON report")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.Meeting == "" {
		fmt.Fprintln(stderr, "jishitong loadtest: --meeting is required")
		return 2
	}
	ctx, stop := ossignal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "jishitong", err)
		return 1
	}
	if asJSON {
		b, _ := json.Marshal(rep)
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	fmt.Fprintf(stdout, "%d participants (%d publishers, %d subscribers) for %.1f s\n", rep.Participants, rep.Publishers, rep.Subscribers, rep.DurationS)
	fmt.Fprintf(stdout, "received %.0f packets/s, %.0f kbps; loss %.2f%%; tracks %d/%d\n", rep.ReceivedPacketsPerSecond, rep.ReceivedKbps, rep.LossPercent, rep.TracksReceived, rep.TracksExpected)
	fmt.Fprintf(stdout, "join to first packet: p50 %.0f ms, p99 %.0f ms (audio %.0f/%.0f, video %.0f/%.0f)\n",
		rep.JoinToFirstPacketMsP50, rep.JoinToFirstPacketMsP99, rep.AudioJoinToFirstPacketMsP50, rep.AudioJoinToFirstPacketMsP99, rep.VideoJoinToFirstPacketMsP50, rep.VideoJoinToFirstPacketMsP99)
	fmt.Fprintf(stdout, "load tool CPU %.2f s; errors %d %v\n", rep.CPUSeconds, rep.Errors, rep.ErrorSamples)
	return 0
}
