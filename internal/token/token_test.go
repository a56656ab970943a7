package token

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		body   string
		expiry time.Time
		bad    bool
	}{
		{`{"access_token":"t","expires_in":3600}`, now.Add(time.Hour), false},
		{`{"access_token":"t","expires_in":"3600"}`, now.Add(time.Hour), false},
		{`{"access_token":"t","expires_in":9223372036854775807}`, now.Add(math.MaxInt32 * time.Second), false},
		{`{"access_token":"t"}`, time.Time{}, false},
		{`{"access_token":"t","expires_in":-5}`, time.Time{}, false},
		{`{"access_token":""}`, time.Time{}, true},
		{`{"access_token":7}`, time.Time{}, true},
		{`[]`, time.Time{}, true},
	} {
		tok, err := parseAnswer([]byte(c.body), now)
		if c.bad {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err = %v, want ErrMalformed", c.body, err)
			}
			continue
		}
		if err != nil || tok.AccessToken != "t" || !tok.Expiry.Equal(c.expiry) {
			t.Errorf("%s: %+v, %v; want expiry %v", c.body, tok, err, c.expiry)
		}
	}
}

func TestCheckJWT(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	jwt := func(payload string) string {
		return "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	for tok, ok := range map[string]bool{
		jwt(fmt.Sprintf(`{"exp":%d}`, now.Unix()+60)): true,
		jwt(`{"sub":"no exp"}`):                       true,
		jwt(fmt.Sprintf(`{"exp":%d}`, now.Unix())):    false,
		jwt(`not json`):                               false,
		"a.b":                                         false,
	} {
		if err := CheckJWT(tok, now); (err == nil) != ok {
			t.Errorf("CheckJWT(%q) = %v, want ok %v", tok, err, ok)
		}
	}
}

// The cache fetches once for many calls, and again once the API refused its token.
func TestCacheRefetchesARefusedToken(t *testing.T) {
	t.Parallel()
	fetches := 0
	c := NewCache(func(context.Context) (*oauth2.Token, error) {
		fetches++
		return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", fetches), Expiry: time.Now().Add(time.Hour)}, nil
	})
	for range 3 {
		if tok, err := c.Token(t.Context()); err != nil || tok != "tok-1" {
			t.Fatalf("Token = %q, %v; want tok-1", tok, err)
		}
	}
	if !c.Refused("tok-1") || !c.Refused("tok-0") {
		t.Error("Refused says another attempt would not get another token")
	}
	if tok, _ := c.Token(t.Context()); tok != "tok-2" || fetches != 2 {
		t.Errorf("after a refusal: %q in %d fetches, want tok-2 in 2", tok, fetches)
	}
}
