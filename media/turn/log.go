package turn

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// slogFactory hands pion a logger that writes to slog. pion's Info lines (a listener
// closed, an allocation expired) are routine for a relay, so they go to Debug.
type slogFactory struct{ log *slog.Logger }

func (f slogFactory) NewLogger(scope string) logging.LeveledLogger {
	return slogLogger{f.log.With("pion", scope)}
}

type slogLogger struct{ log *slog.Logger }

func (l slogLogger) logf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (l slogLogger) Trace(msg string)                  { l.logf(slog.LevelDebug, "%s", msg) }
func (l slogLogger) Tracef(format string, args ...any) { l.logf(slog.LevelDebug, format, args...) }
func (l slogLogger) Debug(msg string)                  { l.logf(slog.LevelDebug, "%s", msg) }
func (l slogLogger) Debugf(format string, args ...any) { l.logf(slog.LevelDebug, format, args...) }
func (l slogLogger) Info(msg string)                   { l.logf(slog.LevelDebug, "%s", msg) }
func (l slogLogger) Infof(format string, args ...any)  { l.logf(slog.LevelDebug, format, args...) }
func (l slogLogger) Warn(msg string)                   { l.logf(slog.LevelWarn, "%s", msg) }
func (l slogLogger) Warnf(format string, args ...any)  { l.logf(slog.LevelWarn, format, args...) }
func (l slogLogger) Error(msg string)                  { l.logf(slog.LevelError, "%s", msg) }
func (l slogLogger) Errorf(format string, args ...any) { l.logf(slog.LevelError, format, args...) }
