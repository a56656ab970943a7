package fakeapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tsinvites/tsinvites/internal/fakeapi"
)

// TestUnimplementedAnswers501NamingTheOperation calls every operation of the strict
// server interface on Unimplemented (the list comes from the generated interface) and
// writes its answer: 501, JSON, and a message naming the operation's operationId.
func TestUnimplementedAnswers501NamingTheOperation(t *testing.T) {
	t.Parallel()
	doc, err := fakeapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // Go method name (the operationId, first letter upper) → operationId
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids[strings.ToUpper(op.OperationID[:1])+op.OperationID[1:]] = op.OperationID
		}
	}
	iface := reflect.TypeFor[fakeapi.StrictServerInterface]()
	if iface.NumMethod() != len(ids) {
		t.Errorf("the strict interface has %d operations, the document %d", iface.NumMethod(), len(ids))
	}
	u := reflect.ValueOf(fakeapi.Unimplemented{})
	for i := range iface.NumMethod() {
		m := iface.Method(i)
		id, ok := ids[m.Name]
		if !ok {
			t.Errorf("operation %s is not in the document", m.Name)
			continue
		}
		out := u.MethodByName(m.Name).Call([]reflect.Value{reflect.ValueOf(context.Background()), reflect.New(m.Type.In(1)).Elem()})
		if !out[1].IsNil() {
			t.Errorf("%s: error %v", m.Name, out[1].Interface())
			continue
		}
		rec := httptest.NewRecorder()
		visit := out[0].MethodByName("Visit" + m.Name + "Response")
		if err, _ := visit.Call([]reflect.Value{reflect.ValueOf(http.ResponseWriter(rec))})[0].Interface().(error); err != nil {
			t.Errorf("%s: write: %v", m.Name, err)
		}
		var body struct{ Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusNotImplemented || !strings.Contains(body.Message, id) {
			t.Errorf("%s: %d %q (%v), want 501 and a message naming %s", m.Name, rec.Code, rec.Body, err, id)
		}
	}
}
