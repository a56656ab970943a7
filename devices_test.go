package tsinvites_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/spectest"
)

// wireCall is one request as a loopback server saw it.
type wireCall struct {
	Method, Path, Query, Body, Auth string
}

// recorder is a loopback API that records every request and answers each with the
// next of its answers (the last one again when they run out).
type recorder struct {
	mu      sync.Mutex
	calls   []wireCall
	answers []func(w http.ResponseWriter)
}

func (rec *recorder) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.calls = append(rec.calls, wireCall{r.Method, r.URL.EscapedPath(), r.URL.Query().Encode(), string(body), r.Header.Get("Authorization")}) // the query sorted by key
	answer := rec.answers[min(len(rec.calls), len(rec.answers))-1]
	rec.mu.Unlock()
	answer(w)
}

func (rec *recorder) seen() []wireCall {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]wireCall(nil), rec.calls...)
}

// answerJSON answers status with body as JSON.
func answerJSON(status int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// deviceClient starts a recorder with these answers and a client for it that retries
// quickly.
func deviceClient(t *testing.T, answers ...func(w http.ResponseWriter)) (*tsinvites.Client, *recorder) {
	t.Helper()
	rec := &recorder{answers: answers}
	c, _ := rawServerCfg(t, tsinvites.Config{APIKey: testKey, Retry: fastRetries}, rec.handle)
	return c, rec
}

const (
	shareURL       = "https://login.tailscale.com/admin/invite/s3cr3tShareCode42"
	deviceInviteJS = `{"id":"12345","created":"2024-05-08T20:19:51Z","tailnetId":59954,"deviceId":11055,"sharerId":22011,` +
		`"allowExitNode":true,"email":"user@example.com","inviteUrl":"` + shareURL + `","accepted":false}`
	acceptedJS = `{"id":"12346","created":"2024-04-03T21:38:49Z","deviceId":11055,"inviteUrl":"` + shareURL + `x",` +
		`"accepted":true,"acceptedBy":{"id":33223,"loginName":"someone@example.com"}}`
)

// Every device method sends the request the document describes (method, path, query,
// body, credential) and returns the answer decoded.
func TestDeviceMethodsOnTheWire(t *testing.T) {
	t.Parallel()
	tags := []string{"tag:ci", "tag:prod"}
	host := "build-1"
	for _, c := range []struct {
		name   string
		opID   string // the document's operationId
		answer func(w http.ResponseWriter)
		call   func(ctx context.Context, c *tsinvites.Client) (any, error)
		want   wireCall
		result any
	}{
		{
			name:   "list devices",
			opID:   "listTailnetDevices",
			answer: answerJSON(200, `{"devices":[{"nodeId":"n1","name":"build-1.tail.ts.net","hostname":"build-1","tags":["tag:ci"],"created":""}]}`),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return c.ListDevices(ctx, tsinvites.ListTailnetDevicesParams{Tags: &tags, Hostname: &host})
			},
			want:   wireCall{Method: "GET", Path: "/api/v2/tailnet/-/devices", Query: "hostname=build-1&tags=tag%3Aci&tags=tag%3Aprod"},
			result: []tsinvites.Device{{NodeID: "n1", Name: "build-1.tail.ts.net", Hostname: "build-1", Tags: []string{"tag:ci"}}},
		},
		{
			name:   "list device invites",
			opID:   "listDeviceInvites",
			answer: answerJSON(200, `[`+deviceInviteJS+`,`+acceptedJS+`]`),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return c.ListDeviceInvites(ctx, "n1/x")
			},
			want:   wireCall{Method: "GET", Path: "/api/v2/device/n1%2Fx/device-invites"},
			result: []tsinvites.DeviceInvite{decodeDeviceInvite(t, deviceInviteJS), decodeDeviceInvite(t, acceptedJS)},
		},
		{
			name:   "create device invites",
			opID:   "createDeviceInvites",
			answer: answerJSON(200, `[`+deviceInviteJS+`]`),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: "USER@example.com", AllowExitNode: true})
			},
			want:   wireCall{Method: "POST", Path: "/api/v2/device/n1/device-invites", Body: `[{"allowExitNode":true,"email":"USER@example.com"}]`},
			result: []tsinvites.DeviceInvite{decodeDeviceInvite(t, deviceInviteJS)},
		},
		{
			name:   "get device invite",
			opID:   "getDeviceInvite",
			answer: answerJSON(200, deviceInviteJS),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return c.GetDeviceInvite(ctx, "12345")
			},
			want:   wireCall{Method: "GET", Path: "/api/v2/device-invites/12345"},
			result: ptr(decodeDeviceInvite(t, deviceInviteJS)),
		},
		{
			name:   "delete device invite",
			opID:   "deleteDeviceInvite",
			answer: answerJSON(200, `{}`),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return nil, c.DeleteDeviceInvite(ctx, "12345")
			},
			want: wireCall{Method: "DELETE", Path: "/api/v2/device-invites/12345"},
		},
		{
			name:   "resend device invite",
			opID:   "resendDeviceInvite",
			answer: answerJSON(200, ``),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return nil, c.ResendDeviceInvite(ctx, "12345")
			},
			want: wireCall{Method: "POST", Path: "/api/v2/device-invites/12345/resend"},
		},
		{
			name:   "accept device invite",
			opID:   "acceptDeviceInvite",
			answer: answerJSON(200, `{"device":{"id":"n1","name":"build-1","includeExitNode":true},"sharer":{"id":"22012","loginName":"owner@example.com"},"acceptedBy":{"id":"33233","loginName":"guest@partner.org"}}`),
			call: func(ctx context.Context, c *tsinvites.Client) (any, error) {
				return c.AcceptDeviceInvite(ctx, shareURL)
			},
			want: wireCall{Method: "POST", Path: "/api/v2/device-invites/-/accept", Body: `{"invite":"` + shareURL + `"}`},
			result: &tsinvites.AcceptDeviceInviteResult{
				Device:     tsinvites.SharedDevice{ID: "n1", Name: "build-1", IncludeExitNode: true},
				Sharer:     tsinvites.DeviceShareUser{ID: "22012", LoginName: "owner@example.com"},
				AcceptedBy: tsinvites.DeviceShareUser{ID: "33233", LoginName: "guest@partner.org"},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Every request and answer is checked against api/openapi.yaml too.
			rec, tr := &recorder{answers: []func(w http.ResponseWriter){c.answer}}, spectest.New(t, nil)
			client, _ := rawServerCfg(t, tsinvites.Config{APIKey: testKey, HTTPClient: &http.Client{Transport: tr}}, rec.handle)
			got, err := c.call(t.Context(), client)
			if err != nil {
				t.Fatal(err)
			}
			if c.result != nil {
				if diff := cmp.Diff(c.result, got); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			}
			c.want.Auth = "Bearer " + testKey
			calls := rec.seen()
			if len(calls) != 1 {
				t.Fatalf("%d requests, want 1: %+v", len(calls), calls)
			}
			calls[0].Body = strings.TrimSpace(calls[0].Body)
			if diff := cmp.Diff(c.want, calls[0]); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			if sent := tr.Requests(); len(sent) != 1 || sent[0].Operation != c.opID {
				t.Errorf("the document's operation is %+v, want %s", sent, c.opID)
			}
		})
	}
}

func decodeDeviceInvite(t *testing.T, s string) tsinvites.DeviceInvite {
	t.Helper()
	var inv tsinvites.DeviceInvite
	if err := json.Unmarshal([]byte(s), &inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func ptr[T any](v T) *T { return &v }

// The tailnet of WithTailnet reaches the devices list's path.
func TestListDevicesOnAnotherTailnet(t *testing.T) {
	t.Parallel()
	c, rec := deviceClient(t, answerJSON(200, `{"devices":[]}`))
	devices, err := c.WithTailnet("example.com").ListDevices(t.Context(), tsinvites.ListTailnetDevicesParams{})
	if err != nil || devices == nil || len(devices) != 0 {
		t.Fatalf("ListDevices = %v, %v; want an empty, non-nil list", devices, err)
	}
	if got := rec.seen()[0]; got.Path != "/api/v2/tailnet/example.com/devices" || got.Query != "" {
		t.Errorf("request %+v, want the tailnet example.com and no query", got)
	}
}

// Reads are retried after a 5xx, as the other reads are.
func TestDeviceReadsAreRetried(t *testing.T) {
	t.Parallel()
	c, rec := deviceClient(t, answerJSON(503, `{"message":"busy"}`), answerJSON(200, `[`+deviceInviteJS+`]`))
	invites, err := c.ListDeviceInvites(t.Context(), "n1")
	if err != nil || len(invites) != 1 {
		t.Fatalf("ListDeviceInvites = %v, %v", invites, err)
	}
	if n := len(rec.seen()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// A create that failed after it may have reached the API is never sent again, and
// says the invites may exist: a 5xx, or an answer lost with the connection.
func TestCreateDeviceInvitesIsNotRetriedBlind(t *testing.T) {
	t.Parallel()
	lost := func(w http.ResponseWriter) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	for name, answer := range map[string]func(w http.ResponseWriter){
		"500":         answerJSON(500, `{"message":"oops"}`),
		"503":         answerJSON(503, `{"message":"busy"}`),
		"lost answer": lost,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, rec := deviceClient(t, answer)
			_, err := c.CreateDeviceInvites(t.Context(), "n1", tsinvites.CreateDeviceInviteRequest{Email: "a@example.com"})
			if !errors.Is(err, tsinvites.ErrMayHaveCreated) {
				t.Errorf("err = %v, want one matching ErrMayHaveCreated", err)
			}
			if n := len(rec.seen()); n != 1 {
				t.Errorf("%d requests, want 1 (never retried)", n)
			}
		})
	}
}

// A 429 did nothing: the create is tried again.
func TestCreateDeviceInvitesIsRetriedAfter429(t *testing.T) {
	t.Parallel()
	c, rec := deviceClient(t, answerJSON(429, `{"message":"slow down"}`), answerJSON(200, `[`+deviceInviteJS+`]`))
	if _, err := c.CreateDeviceInvites(t.Context(), "n1", tsinvites.CreateDeviceInviteRequest{Email: "user@example.com"}); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.seen()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// The answer is paired with the requests by email (ASCII letters without case), the
// email-less ones in order; an invite no request asked for makes the error match
// ErrMayHaveCreated and is given by UnpairedDeviceInvites, its URL in no text.
func TestCreateDeviceInvitesPairsByEmail(t *testing.T) {
	t.Parallel()
	const extraURL = "https://login.tailscale.com/admin/invite/extraSecretCode99"
	c, _ := deviceClient(t, answerJSON(200, `[{"id":"9","inviteUrl":"https://login.tailscale.com/admin/invite/a1"},`+
		`{"id":"2","email":"B@Example.com"},{"id":"1","email":"a@example.com"},{"id":"7","email":"c@example.com","inviteUrl":"`+extraURL+`"}]`))
	got, err := c.CreateDeviceInvites(t.Context(), "n1",
		tsinvites.CreateDeviceInviteRequest{Email: "a@example.com"},
		tsinvites.CreateDeviceInviteRequest{Email: "b@example.com"},
		tsinvites.CreateDeviceInviteRequest{MultiUse: true})
	if !errors.Is(err, tsinvites.ErrMayHaveCreated) || !strings.Contains(err.Error(), `invite "7"`) {
		t.Errorf("err = %v, want ErrMayHaveCreated naming invite 7", err)
	}
	var ids []string
	for _, inv := range got {
		ids = append(ids, inv.ID)
	}
	if diff := cmp.Diff([]string{"1", "2", "9"}, ids); diff != "" {
		t.Errorf("paired IDs (-want +got):\n%s", diff)
	}
	extra := tsinvites.UnpairedDeviceInvites(err)
	if len(extra) != 1 || extra[0].ID != "7" || extra[0].InviteURL != extraURL {
		t.Errorf("UnpairedDeviceInvites = %v, want invite 7 with its URL", extra)
	}
	if tsinvites.UnpairedInvites(err) != nil {
		t.Error("UnpairedInvites gives device invites")
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, err); strings.Contains(s, "/admin/invite/") {
			t.Errorf("%s of the error shows an invite URL: %s", format, s)
		}
	}
}

// Bad input is refused before anything is sent, with an error matching
// ErrInvalidInput: device and invite IDs by the ID check, emails by the rule of
// CreateUserInviteRequest.Validate, duplicates, no invites, an empty invite to accept.
func TestDeviceInputIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	c, rec := deviceClient(t, answerJSON(200, `[]`))
	ctx := t.Context()
	for name, call := range map[string]func() error{
		"list, empty device":   func() error { _, err := c.ListDeviceInvites(ctx, " "); return err },
		"list, dot-dot device": func() error { _, err := c.ListDeviceInvites(ctx, ".."); return err },
		"create, empty device": func() error {
			_, err := c.CreateDeviceInvites(ctx, "", tsinvites.CreateDeviceInviteRequest{Email: "a@example.com"})
			return err
		},
		"create, none": func() error { _, err := c.CreateDeviceInvites(ctx, "n1"); return err },
		"create, bad email": func() error {
			_, err := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: "Ann <a@example.com>"})
			return err
		},
		"create, invisible": func() error {
			_, err := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: "a\u200b@example.com"})
			return err
		},
		"create, duplicate": func() error {
			_, err := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: "a@example.com"}, tsinvites.CreateDeviceInviteRequest{Email: "A@example.com"})
			return err
		},
		"get, empty id":   func() error { _, err := c.GetDeviceInvite(ctx, ""); return err },
		"delete, control": func() error { return c.DeleteDeviceInvite(ctx, "1\n2") },
		"resend, dot":     func() error { return c.ResendDeviceInvite(ctx, ".") },
		"accept, empty":   func() error { _, err := c.AcceptDeviceInvite(ctx, " \t"); return err },
		"accept, control": func() error { _, err := c.AcceptDeviceInvite(ctx, shareURL+"\n"); return err },
		"list devices, tail": func() error {
			_, err := c.WithTailnet("..").ListDevices(ctx, tsinvites.ListTailnetDevicesParams{})
			return err
		},
	} {
		err := call()
		if !errors.Is(err, tsinvites.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want one matching ErrInvalidInput", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3tShareCode42") {
			t.Errorf("%s: the error shows the invite URL: %v", name, err)
		}
	}
	// Every problem at once, in the SDK's one structured error.
	_, err := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: "bad"},
		tsinvites.CreateDeviceInviteRequest{Email: "b@example.com"}, tsinvites.CreateDeviceInviteRequest{Email: "B@example.com"})
	var inErr *tsinvites.InputError
	if !errors.As(err, &inErr) || len(inErr.Problems) != 2 || inErr.Problems[0].Index != 0 || inErr.Problems[1].First != 1 {
		t.Errorf("err = %#v, want an *InputError with the bad email and the duplicate", err)
	}
	if n := len(rec.seen()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	// The same email rule as a user invite's: an email CreateUserInviteRequest.Validate
	// refuses is refused here, one it takes is taken.
	for _, email := range []string{"a@example.com", "not an address", "a@b@c", "Ann <a@example.com>", "a\u00ad@example.com"} {
		userErr := tsinvites.CreateUserInviteRequest{Email: email}.Validate()
		_, deviceErr := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: email})
		if refused := errors.Is(deviceErr, tsinvites.ErrInvalidInput); refused != (userErr != nil) {
			t.Errorf("email %q: user invite error %v, device invite error %v", email, userErr, deviceErr)
		}
	}
}

// Answers that decode but are not the API's are errors, not empty results.
func TestDeviceAnswersThatAreNotTheAPIs(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		body string
		call func(ctx context.Context, c *tsinvites.Client) error
	}{
		"devices without list": {`{}`, func(ctx context.Context, c *tsinvites.Client) error {
			_, err := c.ListDevices(ctx, tsinvites.ListTailnetDevicesParams{})
			return err
		}},
		"null invites": {`null`, func(ctx context.Context, c *tsinvites.Client) error {
			_, err := c.ListDeviceInvites(ctx, "n1")
			return err
		}},
		"invite without id": {`{}`, func(ctx context.Context, c *tsinvites.Client) error {
			_, err := c.GetDeviceInvite(ctx, "1")
			return err
		}},
		"created without id": {`[{}]`, func(ctx context.Context, c *tsinvites.Client) error {
			_, err := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{})
			return err
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, _ := deviceClient(t, answerJSON(200, c.body))
			if err := c.call(t.Context(), client); err == nil || !strings.Contains(err.Error(), "unexpected answer") {
				t.Errorf("err = %v, want an unexpected answer", err)
			}
		})
	}
}

// An invite URL is a secret: a DeviceInvite formatted any way hides it, and an error
// answer to accept that echoes the URL or its code shows neither.
func TestDeviceInviteURLIsNeverShown(t *testing.T) {
	t.Parallel()
	inv := decodeDeviceInvite(t, deviceInviteJS)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, inv); strings.Contains(s, "s3cr3tShareCode42") || !strings.Contains(s, "12345") {
			t.Errorf("%s of a DeviceInvite: %s", format, s)
		}
	}
	c, _ := deviceClient(t, answerJSON(400, `{"message":"invite s3cr3tShareCode42 is not valid (`+shareURL+`)"}`))
	for _, given := range []string{shareURL, "s3cr3tShareCode42"} {
		_, err := c.AcceptDeviceInvite(t.Context(), given)
		var apiErr *tsinvites.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
			t.Fatalf("err = %v, want a 400 APIError", err)
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%#v", err), apiErr.Message, string(apiErr.Body)} {
			if strings.Contains(s, "s3cr3tShareCode42") {
				t.Errorf("accept %q: the error shows the invite: %s", given, s)
			}
		}
	}
}

// A 403 to a device call says what that call needs: the read scopes, the delete scope,
// or a user-owned key (never the user invites' advice, which would be wrong for a
// delete that an OAuth client with device_invites may make).
func TestDeviceForbiddenAdvice(t *testing.T) {
	t.Parallel()
	c, _ := deviceClient(t, answerJSON(403, `{"message":"forbidden"}`))
	ctx := t.Context()
	for _, tc := range []struct {
		call func() error
		want string
	}{
		{func() error { _, err := c.ListDevices(ctx, tsinvites.ListTailnetDevicesParams{}); return err }, "devices:core:read"},
		{func() error { _, err := c.ListDeviceInvites(ctx, "n1"); return err }, "device_invites:read"},
		{func() error { _, err := c.GetDeviceInvite(ctx, "1"); return err }, "device_invites:read"},
		{func() error { return c.DeleteDeviceInvite(ctx, "1") }, "the OAuth scope device_invites (or an API key)"},
		{func() error { return c.ResendDeviceInvite(ctx, "1") }, "user-owned API key"},
		{func() error { _, err := c.AcceptDeviceInvite(ctx, "code0123456789"); return err }, "user-owned API key"},
		{func() error {
			_, err := c.CreateDeviceInvites(ctx, "n1", tsinvites.CreateDeviceInviteRequest{Email: "a@example.com"})
			return err
		}, "user-owned API key"},
	} {
		var apiErr *tsinvites.APIError
		if err := tc.call(); !errors.As(err, &apiErr) || !strings.Contains(apiErr.Advice, tc.want) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want a 403 whose Advice mentions %q", err, tc.want)
		}
	}
}
