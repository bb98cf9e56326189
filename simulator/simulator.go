// Package simulator produces realistic synthetic contact-centre traffic in
// the event contract v1 (docs/events.md): agents on shifts with
// breaks, queued inbound calls that are answered or abandoned, callbacks,
// e-mails, orders, agent turnover and customers who churn more after poor
// service. It feeds the demo, the tests and `frontline simulate`.
//
// The centre is staffed per 15-minute interval by Erlang C for the calls
// plus the e-mail work, callers hang up when their wait exceeds their
// patience (Erlang A), and agents answer e-mails when the phones can spare
// them, so service level, abandons, occupancy and the e-mail backlog move
// together (Options.Understaff shows it). The output begins with 30 days
// of contact history before Start (history.go), so that the churn and
// repeat-contact look-backs of the first simulated days have a past.
//
// The model is a discrete-event simulation on a millisecond clock. Every
// random draw comes from PCG streams seeded from Options.Seed and every
// tie is broken by creation order, so the same options give byte-identical
// output.
package simulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// Options configure a simulation. New fills zero values with the defaults
// written in each comment.
type Options struct {
	// Start is the first simulated midnight (UTC); default 2026-11-02, a Monday.
	// It is truncated to midnight UTC. Contact history (inbound calls,
	// e-mails, churns) is sent for the 30 days before it.
	Start time.Time
	// Days is the number of simulated days; default 1.
	Days int
	// Agents is the size of the centre (roster headcount); default 40.
	Agents int
	// Seed selects the random streams; default 1. The same seed and options
	// give byte-identical output.
	Seed int64
	// Queues are the call and e-mail queues; default billing, orders,
	// support, tech.
	Queues []string
	// DuplicateRate is the fraction of events the "producer" sends twice
	// (same id, same bytes, a little later); default 0.01. Negative means 0.
	DuplicateRate float64
	// InvalidRate is the fraction of extra invalid messages (bad JSON, a
	// missing or null required field, an unknown type, a timestamp without
	// offset); default 0.002. Negative means 0.
	InvalidRate float64
	// Understaff (0..1) is the fraction of agents missing on the first
	// day's afternoon (from 12:00), to build callback and e-mail backlogs
	// for alert demos; default 0.
	Understaff float64
}

// Message is one Kafka record as the producer would send it.
type Message struct {
	Topic string
	// Key is the entity id of the event (schemas.Data.Key).
	Key   string
	Value []byte
	// At is when the producer sends the message; non-decreasing across a run
	// (before Options.Start for the history).
	At time.Time
}

// Stats count what a run emitted.
type Stats struct {
	// Events are the distinct valid events (duplicates and invalid
	// messages excluded).
	Events int
	// Duplicates are the extra copies of valid events.
	Duplicates int
	// Invalid are the injected invalid messages.
	Invalid int
	// ByType counts Events per CloudEvents type.
	ByType map[string]int
}

// Simulator runs the traffic model; create it with New.
type Simulator struct {
	o Options
}

// DefaultStart is the default first simulated day, a Monday.
var DefaultStart = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// DefaultQueues are the queues of a default centre.
var DefaultQueues = []string{"billing", "orders", "support", "tech"}

// New returns a simulator with the defaults of Options filled in.
func New(o Options) *Simulator {
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC().Truncate(24 * time.Hour)
	if o.Days <= 0 {
		o.Days = 1
	}
	if o.Agents <= 0 {
		o.Agents = 40
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if len(o.Queues) == 0 {
		o.Queues = DefaultQueues
	}
	o.Queues = append([]string(nil), o.Queues...)
	if len(o.Queues) > 32 {
		o.Queues = o.Queues[:32]
	}
	if o.DuplicateRate == 0 {
		o.DuplicateRate = 0.01
	}
	if o.InvalidRate == 0 {
		o.InvalidRate = 0.002
	}
	o.DuplicateRate = clamp(o.DuplicateRate, 0, 1)
	o.InvalidRate = clamp(o.InvalidRate, 0, 1)
	o.Understaff = clamp(o.Understaff, 0, 1)
	return &Simulator{o: o}
}

// Options returns the options in effect, defaults filled in.
func (s *Simulator) Options() Options { return s.o }

// Run simulates Options.Days days and calls emit for every message in
// non-decreasing At order. It stops at the first emit error or when ctx is
// done. Each call of Run starts the model afresh.
func (s *Simulator) Run(ctx context.Context, emit func(Message) error) (Stats, error) {
	m := newModel(s.o)
	m.ctx, m.emit = ctx, emit
	err := m.run()
	return m.stats, err
}

// output is an event waiting for its send time.
type output struct {
	at   int64 // ms since Start
	seq  uint64
	data schemas.Data
	// raw is set for an injected copy (duplicate or invalid).
	raw     []byte
	key     string
	topic   string
	invalid bool
}

func (o *output) less(p *output) bool {
	if o.at != p.at {
		return o.at < p.at
	}
	return o.seq < p.seq
}

var (
	sources = map[string]string{
		schemas.TypeCallEnded:         "sim/acd",
		schemas.TypeAgentState:        "sim/acd",
		schemas.TypeEmailReceived:     "sim/mail",
		schemas.TypeEmailReplied:      "sim/mail",
		schemas.TypeCallbackRequested: "sim/callbacks",
		schemas.TypeCallbackAttempted: "sim/callbacks",
		schemas.TypeCallbackCancelled: "sim/callbacks",
		schemas.TypeOrderEntered:      "sim/crm",
		schemas.TypeCustomerUpdated:   "sim/crm",
		schemas.TypeCustomerChurned:   "sim/crm",
		schemas.TypeAgentRoster:       "sim/hr",
	}
	topics = func() map[string]string {
		t := map[string]string{}
		for _, i := range schemas.Types {
			t[i.Type] = i.Topic
		}
		return t
	}()
)

// send queues an event to be emitted at its time at (ms since Start), which
// must not be earlier than the simulation clock.
func (m *model) send(at int64, d schemas.Data) {
	if at < m.now {
		at = m.now
	}
	if at >= m.end {
		return
	}
	m.seq++
	m.out.push(output{at: at, seq: m.seq, data: d})
}

// flush emits every queued output with at <= upTo.
func (m *model) flush(upTo int64) error {
	for m.out.len() > 0 && m.out.top().at <= upTo {
		o := m.out.pop()
		if err := m.emitOutput(&o); err != nil {
			return err
		}
	}
	return nil
}

func (m *model) emitOutput(o *output) error {
	if o.raw != nil {
		if o.invalid {
			m.stats.Invalid++
		} else {
			m.stats.Duplicates++
		}
		return m.emitMsg(Message{Topic: o.topic, Key: o.key, Value: o.raw, At: m.timeOf(o.at)})
	}
	typ := o.data.EventType()
	m.nEvents++
	m.idBuf = append(m.idBuf[:0], m.idPrefix...)
	m.idBuf = strconv.AppendInt(m.idBuf, m.nEvents, 10)
	id := string(m.idBuf)
	ev := &schemas.Event{ID: id, Type: typ, Source: sources[typ], Time: m.timeOf(o.at), Data: o.data}
	b, err := schemas.Encode(ev)
	if err != nil {
		return fmt.Errorf("cannot encode %s %q: %w", typ, id, err)
	}
	msg := Message{Topic: topics[typ], Key: o.data.Key(), Value: b, At: ev.Time}
	m.stats.Events++
	m.byType[typeIndex(typ)]++
	if err := m.emitMsg(msg); err != nil {
		return err
	}
	if m.o.DuplicateRate > 0 && m.ri.Float64() < m.o.DuplicateRate {
		m.seq++
		m.out.push(output{at: o.at + m.ri.Int64N(30_000), seq: m.seq, raw: b, key: msg.Key, topic: msg.Topic})
	}
	if m.o.InvalidRate > 0 && m.ri.Float64() < m.o.InvalidRate {
		m.seq++
		m.out.push(output{at: o.at + m.ri.Int64N(5_000), seq: m.seq, raw: corrupt(m.ri, b, typ), key: msg.Key, topic: msg.Topic, invalid: true})
	}
	return nil
}

func (m *model) emitMsg(msg Message) error {
	if at := msg.At; at.Before(m.lastAt) {
		return fmt.Errorf("simulator bug: message at %s after %s", at, m.lastAt)
	}
	m.lastAt = msg.At
	if m.emitted++; m.emitted%4096 == 0 {
		if err := m.ctx.Err(); err != nil {
			return err
		}
	}
	return m.emit(msg)
}

func typeIndex(t string) int {
	for i, ti := range schemas.Types {
		if ti.Type == t {
			return i
		}
	}
	return len(schemas.Types)
}

func clamp(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// newRand returns the PCG stream number stream of seed.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15^stream))
}
