package simulator

import (
	"encoding/json"
	"math/rand/v2"
	"strings"

	"github.com/frontline-oss/frontline/schemas"
)

// requiredTime is, per event type, a required timestamp field of its data:
// the field an injected invalid message removes, nulls or breaks.
var requiredTime = map[string]string{
	schemas.TypeCallEnded:         "ended_at",
	schemas.TypeEmailReceived:     "received_at",
	schemas.TypeEmailReplied:      "replied_at",
	schemas.TypeOrderEntered:      "entered_at",
	schemas.TypeCallbackRequested: "due_at",
	schemas.TypeCallbackAttempted: "attempted_at",
	schemas.TypeCallbackCancelled: "cancelled_at",
	schemas.TypeAgentState:        "at",
	schemas.TypeAgentRoster:       "at",
	schemas.TypeCustomerUpdated:   "at",
	schemas.TypeCustomerChurned:   "churned_at",
}

// corrupt derives an invalid message from the valid encoding b of an event
// of type typ, the way real producers break: truncated JSON, an unknown
// type, a missing or null required field, or a timestamp without offset.
// The result never carries the original event id.
func corrupt(r *rand.Rand, b []byte, typ string) []byte {
	kind := r.IntN(5)
	if kind == 0 {
		return append([]byte(nil), b[:len(b)/2]...)
	}
	var ev map[string]any
	if err := json.Unmarshal(b, &ev); err != nil {
		return append([]byte(nil), b[:len(b)/2]...)
	}
	if id, ok := ev["id"].(string); ok {
		ev["id"] = id + "-bad"
	}
	data, _ := ev["data"].(map[string]any)
	field := requiredTime[typ]
	switch {
	case kind == 1 || data == nil:
		ev["type"] = strings.TrimSuffix(typ, ".v1") + ".v9"
	case kind == 2:
		delete(data, field)
	case kind == 3:
		data[field] = nil
	default:
		if s, ok := data[field].(string); ok && strings.HasSuffix(s, "Z") {
			data[field] = strings.Replace(strings.TrimSuffix(s, "Z"), "T", " ", 1)
		} else {
			delete(data, field)
		}
	}
	out, err := json.Marshal(ev) // map keys are sorted: deterministic
	if err != nil {
		return append([]byte(nil), b[:len(b)/2]...)
	}
	return out
}
