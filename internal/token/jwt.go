package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// MaxExpiryUnix is the latest expiry [JWTExpiry] gives, 9999-12-31T23:59:59Z in Unix
// seconds: an exp claim after it (up to a float64's 1e308) is as good as never
// expiring, and is clamped to it so that it fits a time.Time instead of wrapping into
// the past.
const MaxExpiryUnix = 253402300799

// JWTExpiry reads the exp claim of a JWT: three base64url parts separated by dots, the
// second a JSON object of claims. The signature is not checked (that is the API's job).
// has is false when the claims have no exp. An exp before the Unix epoch is the epoch,
// one after [MaxExpiryUnix] is that; fractions of a second are kept. This is the one
// reading of a JWT: the client's check before an exchange and the fake's token-exchange
// endpoint both call it.
func JWTExpiry(jwt string) (exp time.Time, has bool, err error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return time.Time{}, false, fmt.Errorf("not a JWT: %d part(s) separated by dots, want 3", len(parts))
	}
	var payload []byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
		if err != nil || len(b) == 0 {
			return time.Time{}, false, fmt.Errorf("not a JWT: part %d is not base64url", i+1)
		}
		if i == 1 {
			payload = b
		}
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, false, errors.New("not a JWT: its payload is not a JSON object of claims with a numeric exp")
	}
	if claims.Exp == nil {
		return time.Time{}, false, nil
	}
	sec, frac := math.Modf(min(max(*claims.Exp, 0), MaxExpiryUnix))
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// CheckJWT refuses what is not a JWT, and one whose exp claim has passed (one without
// exp passes: the API decides). The signature is the API's to check.
func CheckJWT(jwt string, now time.Time) error {
	exp, has, err := JWTExpiry(jwt)
	if err != nil {
		return err
	}
	if has && !now.Before(exp) {
		return fmt.Errorf("expired at %s, %s ago: get a fresh one from your CI system or cloud", exp.UTC().Format(time.RFC3339), now.Sub(exp).Round(time.Second))
	}
	return nil
}
