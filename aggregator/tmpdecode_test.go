package aggregator

// tmpDecode stands in for schemas.Decode until that lands (it is being
// written now); it checks only what the reference scenarios need. Delete
// this file when load_test.go switches to schemas.Decode.

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

type tmpData struct {
	typ  string
	vals []any
}

func (d *tmpData) EventType() string      { return d.typ }
func (d *tmpData) Key() string            { return "" }
func (d *tmpData) Values(dst []any) []any { return append(dst, d.vals...) }

var tmpRequired = map[string][]string{
	"cs.call.ended.v1": {"call_id", "direction", "queue", "ended_at"}, "cs.email.received.v1": {"email_id", "queue", "received_at"},
	"cs.email.replied.v1": {"email_id", "agent_id", "replied_at"}, "cs.order.entered.v1": {"order_id", "agent_id", "started_at", "entered_at"},
	"cs.callback.requested.v1": {"callback_id", "queue", "requested_at", "due_at"}, "cs.callback.attempted.v1": {"callback_id", "attempted_at", "result"},
	"cs.callback.cancelled.v1": {"callback_id", "cancelled_at"}, "cs.agent.state.v1": {"agent_id", "state", "at"},
	"cs.agent.roster.v1": {"agent_id", "change", "at"}, "cs.customer.updated.v1": {"customer_id", "at"}, "cs.customer.churned.v1": {"customer_id", "churned_at"},
}

func tmpDecode(b []byte) (*schemas.Event, error) {
	var e struct {
		ID, Type, Source string
		Data             map[string]any
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, err
	}
	info, ok := schemas.Info(e.Type)
	if !ok {
		return nil, errors.New("type")
	}
	for _, f := range tmpRequired[e.Type] {
		if e.Data[f] == nil {
			return nil, errors.New("missing " + f)
		}
	}
	nullable := map[string]bool{"queued_at": true, "answered_at": true, "handle_sec": true, "value": true, "annual_value": true}
	times := map[string]time.Time{}
	var vals []any
	for _, c := range info.Columns {
		v := e.Data[c]
		switch {
		case c == "at" || strings.HasSuffix(c, "_at"):
			if v == nil {
				vals = append(vals, (*time.Time)(nil))
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, v.(string))
			if err != nil {
				return nil, err
			}
			times[c] = t
			if nullable[c] {
				vals = append(vals, &t)
			} else {
				vals = append(vals, t.UTC())
			}
		case strings.HasSuffix(c, "_sec") || c == "value" || c == "annual_value":
			if v == nil {
				if nullable[c] {
					vals = append(vals, (*float64)(nil))
				} else {
					vals = append(vals, 0.0)
				}
				continue
			}
			f := v.(float64)
			if f < 0 && c != "value" && c != "annual_value" {
				return nil, errors.New("negative")
			}
			if nullable[c] {
				vals = append(vals, &f)
			} else {
				vals = append(vals, f)
			}
		case c == "transferred":
			b, _ := v.(bool)
			vals = append(vals, b)
		default:
			s, _ := v.(string)
			vals = append(vals, s)
		}
	}
	before := func(a, b string) bool {
		ta, oka := times[a]
		tb, okb := times[b]
		return oka && okb && ta.Before(tb)
	}
	if before("answered_at", "queued_at") || before("ended_at", "queued_at") || before("entered_at", "started_at") || before("due_at", "requested_at") {
		return nil, errors.New("order")
	}
	return &schemas.Event{ID: e.ID, Type: e.Type, Source: e.Source, Data: &tmpData{e.Type, vals}}, nil
}
