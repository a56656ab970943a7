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
		jwt(`{"exp":1e300}`):                          true, // far future, not the past
		jwt(`{"exp":9223372036854775808}`):            true,
		jwt(`{"exp":-1e300}`):                         false,
		jwt(`{"exp":"soon"}`):                         false,
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

// TestJWTExpiry: the one JWT reader clamps an exp beyond what time.Time holds (or
// before the epoch) instead of wrapping it, keeps fractions, and says when there is none.
func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	jwt := func(payload string) string {
		return "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	maxExp := time.Unix(MaxExpiryUnix, 0)
	if want := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC); !maxExp.Equal(want) {
		t.Fatalf("MaxExpiryUnix is %v, want %v", maxExp.UTC(), want)
	}
	for _, c := range []struct {
		payload string
		exp     time.Time
		has     bool
	}{
		{`{"exp":1000000}`, time.Unix(1_000_000, 0), true},
		{`{"exp":1000000.25}`, time.Unix(1_000_000, 250_000_000), true},
		{`{"exp":1e300}`, maxExp, true},
		{`{"exp":9223372036854775808}`, maxExp, true},
		{`{"exp":253402300800}`, maxExp, true},
		{`{"exp":-1e300}`, time.Unix(0, 0), true},
		{`{"sub":"no exp"}`, time.Time{}, false},
	} {
		exp, has, err := JWTExpiry(jwt(c.payload))
		if err != nil || has != c.has || !exp.Equal(c.exp) {
			t.Errorf("JWTExpiry(%s) = %v, %v, %v; want %v, %v", c.payload, exp.UTC(), has, err, c.exp.UTC(), c.has)
		}
	}
	for _, bad := range []string{"a.b", "a.b.c.d", "eyJhbGciOiJub25lIn0..sig", "a.b+c.d", jwt(`[1]`), jwt(`{"exp":"soon"}`), jwt(`not json`)} {
		if _, _, err := JWTExpiry(bad); err == nil {
			t.Errorf("JWTExpiry(%q): no error", bad)
		}
	}
}
