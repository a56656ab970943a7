package bench

import (
	"bytes"
	"fmt"
	"strings"
)

// The calls measured and the sizes of their answers.
const (
	createBatch = 100
)

// listSizes are the List benchmarks' numbers of invites (and users, for the official
// client).
var listSizes = []int{10, 1000, 10000}

// invite is the JSON of one invite. The email's local part is padded so that an invite
// is as long as a user of the official client's Users().Get: the two clients then
// decode the same number of bytes.
func invite(i int) string {
	return fmt.Sprintf(`{"id":"%d","role":"member","tailnetId":1001,"inviterId":2001,"email":"%s@example.com","lastEmailSentAt":"2026-11-25T12:00:00Z"}`,
		i, pad(fmt.Sprintf("user%d", i), 140))
}

// user is the JSON of one user, as the API's users endpoints answer.
func user(i int) string {
	return fmt.Sprintf(`{"id":"u%d","displayName":"User %d","loginName":"user%d@example.com","profilePicUrl":"","tailnetId":"1001","created":"2026-11-25T12:00:00Z","type":"member","role":"member","status":"active","deviceCount":1,"lastSeen":"2026-11-25T12:00:00Z","currentlyConnected":false}`,
		i, i, i)
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat("x", n-len(s))
}

// array joins n items made by item into a JSON array.
func array(n int, item func(int) string) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(item(i + 1))
	}
	b.WriteByte(']')
	return b.Bytes()
}

// payloads are the prepared answers, by request path (and method, for create).
type payloads struct {
	invite      []byte         // GET /api/v2/user-invites/1
	invites     map[int][]byte // GET /api/v2/tailnet/-/user-invites, by size
	created     []byte         // POST /api/v2/tailnet/-/user-invites, createBatch invites
	user        []byte         // GET /api/v2/users/u1
	users       map[int][]byte // GET /api/v2/tailnet/-/users, by size: {"users":[...]}
	createInput []string       // the emails of the create batch
}

// usersOf is a users answer of n users: {"users":[...]}.
func (p *payloads) usersOf(n int) []byte {
	if b, ok := p.users[n]; ok {
		return b
	}
	return append(append([]byte(`{"users":`), array(n, user)...), '}')
}

func newPayloads() *payloads {
	p := &payloads{
		invite:  []byte(invite(1)),
		invites: map[int][]byte{},
		created: array(createBatch, invite),
		user:    []byte(user(1)),
		users:   map[int][]byte{},
	}
	for _, n := range listSizes {
		p.invites[n] = array(n, invite)
		p.users[n] = append(append([]byte(`{"users":`), array(n, user)...), '}')
	}
	for i := range createBatch {
		p.createInput = append(p.createInput, fmt.Sprintf("%s@example.com", pad(fmt.Sprintf("user%d", i+1), 140)))
	}
	return p
}
