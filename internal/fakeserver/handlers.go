package fakeserver

import (
	"context"
	"crypto/rand"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tsinvites/tsinvites"
	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// handlers implements the generated strict server on the fake's store. Requests reach
// it only after the token check and the validation against the document. An operation
// it does not implement (one the document added since) is answered by the embedded
// fakeapi.Unimplemented: 501, naming the operation.
type handlers struct {
	fakeapi.Unimplemented
	f *Fake
}

var _ fakeapi.StrictServerInterface = (*handlers)(nil)

func (h *handlers) ListUserInvites(_ context.Context, req fakeapi.ListUserInvitesRequestObject) (fakeapi.ListUserInvitesResponseObject, error) {
	if !h.f.knowsTailnet(req.Tailnet) {
		return fakeapi.ListUserInvites404JSONResponse{NotFoundJSONResponse: notFound("tailnet")}, nil
	}
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	return fakeapi.ListUserInvites200JSONResponse(h.f.listLocked()), nil
}

func (h *handlers) CreateUserInvites(_ context.Context, req fakeapi.CreateUserInvitesRequestObject) (fakeapi.CreateUserInvitesResponseObject, error) {
	if !h.f.knowsTailnet(req.Tailnet) {
		return fakeapi.CreateUserInvites404JSONResponse{NotFoundJSONResponse: notFound("tailnet")}, nil
	}
	if req.Body == nil || len(*req.Body) == 0 {
		return fakeapi.CreateUserInvites400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: "no invites to create"}}, nil
	}
	return fakeapi.CreateUserInvites200JSONResponse(h.f.create(*req.Body)), nil
}

func (h *handlers) GetUserInvite(_ context.Context, req fakeapi.GetUserInviteRequestObject) (fakeapi.GetUserInviteResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	rec, ok := h.f.invites[req.UserInviteID]
	if !ok {
		return fakeapi.GetUserInvite404JSONResponse{NotFoundJSONResponse: notFound("invite")}, nil
	}
	return fakeapi.GetUserInvite200JSONResponse(rec.invite), nil
}

func (h *handlers) DeleteUserInvite(_ context.Context, req fakeapi.DeleteUserInviteRequestObject) (fakeapi.DeleteUserInviteResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	if _, ok := h.f.invites[req.UserInviteID]; !ok {
		return fakeapi.DeleteUserInvite404JSONResponse{NotFoundJSONResponse: notFound("invite")}, nil
	}
	delete(h.f.invites, req.UserInviteID)
	return fakeapi.DeleteUserInvite200Response{}, nil // an empty body, as the API sometimes answers
}

func (h *handlers) ResendUserInvite(_ context.Context, req fakeapi.ResendUserInviteRequestObject) (fakeapi.ResendUserInviteResponseObject, error) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	rec, ok := h.f.invites[req.UserInviteID]
	switch {
	case !ok:
		return fakeapi.ResendUserInvite404JSONResponse{NotFoundJSONResponse: notFound("invite")}, nil
	case rec.invite.Email == "":
		return fakeapi.ResendUserInvite400JSONResponse{BadRequestJSONResponse: fakeapi.BadRequestJSONResponse{Message: noEmailToResend}}, nil
	}
	if tooSoon, refused := resendLocked(&rec.lastResend, &rec.invite.LastEmailSentAt, h.f.now().UTC()); refused {
		return fakeapi.ResendUserInvite429JSONResponse{TooManyRequestsJSONResponse: tooSoon}, nil
	}
	return emptyObject{}, nil
}

// noEmailToResend is the 400 message to a resend of an invite without email, user or
// device invite.
const noEmailToResend = "invite has no email to resend to"

// resendLocked resends, at now, an invite (user or device invite) last resent at *last
// (zero: never) and last emailed at *emailed: it sets both to now. When the last resend
// was less than [ResendInterval] ago, the real API's limit for user and device invites
// alike, it changes nothing and returns the 429 answer, and true. The caller holds f.mu.
func resendLocked(last, emailed *time.Time, now time.Time) (fakeapi.TooManyRequestsJSONResponse, bool) {
	wait := last.Add(ResendInterval).Sub(now)
	if last.IsZero() || wait <= 0 {
		*last, *emailed = now, now
		return fakeapi.TooManyRequestsJSONResponse{}, false
	}
	return fakeapi.TooManyRequestsJSONResponse{
		// When to retry is the Retry-After header's to say (the client's error shows
		// it); the message saying it too made the error say it twice.
		Body:    tsinvites.Error{Message: "invite was resent less than a minute ago"},
		Headers: fakeapi.TooManyRequestsResponseHeaders{RetryAfter: strconv.Itoa(int(math.Ceil(wait.Seconds())))},
	}, true
}

// emptyObject answers 200 with the body {}, the other answer the API gives to resend
// and delete.
type emptyObject struct{}

func (emptyObject) VisitResendUserInviteResponse(w http.ResponseWriter) error {
	return writeJSON(w, http.StatusOK, struct{}{})
}

func notFound(what string) fakeapi.NotFoundJSONResponse {
	return fakeapi.NotFoundJSONResponse{Message: what + " not found"}
}

// knowsTailnet reports whether the request's tailnet is the fake's: "-" or its name.
func (f *Fake) knowsTailnet(tailnet string) bool {
	return tailnet == "-" || strings.EqualFold(tailnet, f.tailnet)
}

// create adds one invite for each request, as the API does.
func (f *Fake) create(reqs []tsinvites.CreateUserInviteRequest) []tsinvites.UserInvite {
	now := f.now().UTC()
	f.mu.Lock()
	defer f.mu.Unlock()
	created := make([]tsinvites.UserInvite, 0, len(reqs))
	for _, req := range reqs {
		f.nextID++
		inv := tsinvites.UserInvite{
			ID:        strconv.Itoa(f.nextID),
			Role:      req.Role,
			TailnetID: DefaultTailnetID,
			InviterID: DefaultInviterID,
			Email:     req.Email,
		}
		if inv.Role == "" {
			inv.Role = tsinvites.UserRoleMember
		}
		if inv.Email != "" {
			inv.LastEmailSentAt = now
		}
		if _, domain, _ := strings.Cut(inv.Email, "@"); inv.Email == "" || !strings.EqualFold(domain, f.domain) {
			inv.InviteURL = "https://login.tailscale.com/uinv/" + rand.Text() // the real form
		}
		f.invites[inv.ID] = &record{invite: inv}
		created = append(created, inv)
	}
	return created
}

// listLocked returns the invites ordered by ID; f.mu is held.
func (f *Fake) listLocked() []tsinvites.UserInvite {
	out := make([]tsinvites.UserInvite, 0, len(f.invites))
	for _, rec := range f.invites {
		out = append(out, rec.invite)
	}
	sortByID(out, func(inv tsinvites.UserInvite) string { return inv.ID })
	return out
}

// sortByID sorts s by the number of the ID that id gives, as the fake numbers its
// invites, user and device invites alike.
func sortByID[T any](s []T, id func(T) string) {
	slices.SortFunc(s, func(a, b T) int {
		x, _ := strconv.Atoi(id(a))
		y, _ := strconv.Atoi(id(b))
		return x - y
	})
}
