package httpx

import (
	"context"
	"log/slog"
	"time"
)

// LogAttempt writes one debug line on l for attempt n of a call (op, such as `get
// invite "42"`) that began at start, when l logs at debug level; why says why it is not
// tried again. Only err could hold a secret: the caller has redacted it.
func LogAttempt(ctx context.Context, l *slog.Logger, op, method, path string, status, n int, wait time.Duration, start time.Time, err error, why string) {
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", op), slog.String("method", method), slog.String("path", path),
		slog.Int("status", status), slog.Int("attempt", n),
		slog.Duration("wait", wait), slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if why != "" {
		attrs = append(attrs, slog.String("not_retried", why))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "tsinvites: attempt", attrs...)
}
