package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tsinvites/tsinvites/internal/jsonbody"
)

// An Answer is what an operation's 2xx body holds: its size cap, and how it is decoded
// and checked.
type Answer interface {
	// MaxSize is the most bytes of body read.
	MaxSize() int64
	// Decode reads one JSON value from dec, refusing what decodes but is not the API's
	// answer.
	Decode(dec *json.Decoder) error
}

// ReadAnswer decodes body (a 2xx answer's, of type contentType) into out within its
// size cap, refusing data after the JSON value, and explains why it cannot. cut says
// the connection broke off, rather than the body being bad.
func ReadAnswer(ctx context.Context, body *jsonbody.Reader, contentType string, out Answer) (cut bool, err error) {
	limit := out.MaxSize()
	body.Left, body.LimitSpace = limit+1, true
	dec := json.NewDecoder(body)
	err = out.Decode(dec)
	if err == nil {
		err = jsonbody.End(dec)
	}
	switch {
	case err == nil:
		return false, nil
	case body.Left <= 0:
		return false, fmt.Errorf("the answer is larger than %d MiB", limit>>20)
	case errors.Is(err, io.EOF):
		return false, errors.New("the answer is empty")
	case ctx.Err() != nil:
		return false, fmt.Errorf("%w: %w", ctx.Err(), err)
	case IsConnError(body.Err): // not a body that is bad JSON, but one cut short
		return true, fmt.Errorf("the answer broke off: %w", body.Err)
	case errors.Is(err, jsonbody.ErrTrailingData), errors.Is(err, jsonbody.ErrSpaceRun), errors.Is(err, jsonbody.ErrDuplicateKey):
		return false, err
	}
	return false, fmt.Errorf("%w (Content-Type %q)", err, contentType)
}
