package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/pool"
	"github.com/tsinvites/tsinvites/reconcile"
)

// itemError is why an item is not done, for people: without the "tsinvites: ..."
// prefix (the report says which item it is about), and for an item not started, why.
func itemError(ctx context.Context, status reconcile.Status, err error) string {
	switch {
	case err == nil:
		return ""
	case status == reconcile.StatusNotAttempted && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return "not started: " + stopReason(ctx)
	}
	return reason(err)
}

// notStarted is why an item was not started, for people: the pool stopped (why) for a
// 429 that asked to wait too long, or ctx ended.
func notStarted(ctx context.Context, why error) string {
	var wait *pool.WaitError
	switch {
	case errors.As(why, &wait) && wait.Deadline:
		return fmt.Sprintf("not started: the API asked to wait %s (rate limited), longer than --timeout leaves", wait.Wait.Round(time.Second))
	case errors.As(why, &wait):
		return fmt.Sprintf("not started: the API asked to wait %s (rate limited)", wait.Wait)
	}
	return "not started: " + stopReason(ctx)
}

// stopReason says why ctx ended, for people.
func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "--timeout reached"
	}
	return "interrupted"
}

// reason is why an item failed, for people, without saying which operation it was (the
// report says which item it was about): the engine's own reason, or the API's status,
// message and advice (and, for a create that may have reached the API, that it may
// have been made), or the error.
func reason(err error) string {
	var changeErr *reconcile.ChangeError
	var apiErr *tsinvites.APIError
	switch {
	case errors.As(err, &changeErr) && changeErr.Err == nil:
		return changeErr.Reason
	case errors.As(err, &changeErr):
		return changeErr.Reason + ": " + changeErr.Err.Error()
	case errors.As(err, &apiErr) && errors.Is(err, tsinvites.ErrMayHaveCreated):
		return apiReason(apiErr) + " (" + tsinvites.ErrMayHaveCreated.Error() + ": list them before creating them again)"
	case errors.As(err, &apiErr):
		return apiReason(apiErr)
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out (--timeout or the 60s request limit)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}

// apiReason is the API's answer from the error's fields, never its text: the status and
// message, such as "404 not found: invite not found", then the client's Advice, in
// parentheses (check the credential, retry after a while).
func apiReason(apiErr *tsinvites.APIError) string {
	s := fmt.Sprintf("%d %s", apiErr.StatusCode, strings.ToLower(http.StatusText(apiErr.StatusCode)))
	if apiErr.Message != "" {
		s += ": " + apiErr.Message
	}
	if apiErr.Advice != "" {
		s += " (" + apiErr.Advice + ")"
	}
	return s
}
