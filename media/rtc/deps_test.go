package rtc

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMediaKnowsNoDomain: the media plane imports neither the bookings, nor GraphQL,
// nor the store or its driver (docs/architecture.md): it declares the small
// interfaces it consumes and the coordinator of running meetings implements them.
func TestMediaKnowsNoDomain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.CommandContext(ctx, goBin, "list", "-deps", "github.com/jishitong/jishitong/media/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/jishitong/jishitong/internal/conference",
		"github.com/jishitong/jishitong/internal/directory",
		"github.com/jishitong/jishitong/internal/store",
		"github.com/jishitong/jishitong/internal/auth",
		"github.com/jishitong/jishitong/graph",
		"go.mongodb.org/mongo-driver",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("media imports %s", dep)
			}
		}
	}
}
