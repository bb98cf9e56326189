package kpi

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is how a centre measures and judges its KPIs: its time zone, each
// queue's operation (time zone, opening hours, holidays, short abandon,
// alert volume guard), the service targets, the centre-wide parameters and
// the currency. It is read once from the config file (ParseConfig) and
// given to every reader; the zero value is the configuration of docs/kpis.md
// without a file: UTC, always open, the default parameters and targets.
type Config struct {
	// Zone is the centre's time zone: report windows and dates, 15-minute,
	// daily and weekly views, dashboards and plan days. Default UTC.
	Zone *time.Location
	// Currency is the ISO 4217 code of money figures (order values,
	// customer values). Default EUR.
	Currency string
	// Targets are the service goals per queue (service level and its
	// threshold, abandon ceiling, callback and e-mail SLAs).
	Targets Targets
	// Default is the operation of every queue that Queues does not name.
	Default Operation
	// Queues override Default per queue, field by field.
	Queues map[string]Operation
	// Params are the centre-wide definitions (long wait, repeat window,
	// churn lookback, repeat contacts, tenure).
	Params Params
}

// Operation is how one queue works: when it is open and how its calls are
// measured and alerted on.
type Operation struct {
	// Zone is the time zone of the queue's hours and holidays. Default
	// the centre's.
	Zone *time.Location
	// Hours are the opening hours and holidays. Default always open.
	Hours Hours
	// ShortAbandon: an unanswered call that waited less is a short abandon,
	// not an offered call. Whole seconds, 1 s to MaxThreshold. Default 5 s.
	ShortAbandon time.Duration
	// MinVolume is the offered calls a queue needs in an alert window
	// before its service-level and abandon-rate alerts may fire (a rate of
	// two calls is noise). Default 10; 0 in the config file turns the
	// guard off.
	MinVolume int
	// minVolumeSet: MinVolume was given (a 0 from the file is not the
	// default).
	minVolumeSet bool
}

// Defaults of Config.
const (
	DefaultCurrency     = "EUR"
	DefaultShortAbandon = 5 * time.Second
	DefaultMinVolume    = 10
	// MaxThreshold is the largest service-level threshold and short
	// abandon: the calls rollup keeps per-second wait counts up to it
	// (migration 0030), so any threshold up to it is exact at query time.
	MaxThreshold = time.Hour
)

// DefaultConfig is the configuration without a config file.
func DefaultConfig() Config { return Config{}.WithDefaults() }

// WithDefaults fills the zero fields of c.
func (c Config) WithDefaults() Config {
	if c.Zone == nil {
		c.Zone = time.UTC
	}
	if c.Currency == "" {
		c.Currency = DefaultCurrency
	}
	if c.Targets.Default == (Target{}) {
		c.Targets = DefaultTargets()
	}
	if c.Default.ShortAbandon == 0 {
		c.Default.ShortAbandon = DefaultShortAbandon
	}
	if c.Default.MinVolume == 0 && !c.Default.minVolumeSet {
		c.Default.MinVolume = DefaultMinVolume
	}
	c.Params = c.Params.WithDefaults()
	return c
}

// Queue is everything about one queue: its target and its operation, the
// defaults filled in. queue "" is the default of every queue.
type Queue struct {
	Name string
	Target
	Operation
}

// Queue returns the target and operation of queue ("" = the defaults).
func (c Config) Queue(queue string) Queue {
	c = c.WithDefaults()
	op := c.Default
	if o, ok := c.Queues[queue]; ok && queue != "" {
		op = o
	}
	if op.Zone == nil {
		op.Zone = c.Zone
	}
	if op.ShortAbandon == 0 {
		op.ShortAbandon = c.Default.ShortAbandon
	}
	if op.MinVolume == 0 && !op.minVolumeSet {
		op.MinVolume = c.Default.MinVolume
	}
	return Queue{Name: queue, Target: c.Targets.For(queue), Operation: op}
}

// Open reports whether the queue is open at t.
func (q Queue) Open(t time.Time) bool { return q.Hours.Open(t, q.Zone) }

// QueueNames are the queues the configuration names (targets or
// operation), sorted.
func (c Config) QueueNames() []string {
	set := map[string]bool{}
	for q := range c.Targets.Queues {
		set[q] = true
	}
	for q := range c.Queues {
		set[q] = true
	}
	out := make([]string, 0, len(set))
	for q := range set {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

// ZoneOf is the time zone of a view of queue: the queue's own zone, or the
// centre's for all queues ("").
func (c Config) ZoneOf(queue string) *time.Location {
	if queue == "" {
		return c.WithDefaults().Zone
	}
	return c.Queue(queue).Zone
}

// fileConfig is the part of the config file Config reads.
type fileConfig struct {
	Timezone string               `yaml:"timezone"`
	Currency string               `yaml:"currency"`
	Targets  yaml.Node            `yaml:"targets"`
	Queues   map[string]yaml.Node `yaml:"queues"`
	Alerts   struct {
		MinVolume *int `yaml:"min_volume"`
	} `yaml:"alerts"`
}

// fileOperation is one entry of the queues: section.
type fileOperation struct {
	Timezone     string            `yaml:"timezone"`
	Hours        map[string]string `yaml:"hours"`
	Holidays     []string          `yaml:"holidays"`
	ShortAbandon *time.Duration    `yaml:"short_abandon"`
	MinVolume    *int              `yaml:"min_volume"`
}

// ParseConfig reads the KPI settings of a config file (its timezone,
// currency, targets, queues and alerts keys; other keys are flags and not
// read here):
//
//	timezone: Europe/Warsaw
//	currency: EUR
//	alerts: {min_volume: 10}
//	targets:
//	  default: {service_level: 0.8, sl_threshold: 20s, max_abandon_rate: 0.05}
//	  billing: {service_level: 0.9}
//	queues:
//	  default:
//	    hours: {mon-fri: "08:00-18:00", sat: "09:00-13:00"}
//	    holidays: [2026-12-25, 2026-12-26]
//	    short_abandon: 5s
//	  billing: {timezone: Europe/London, min_volume: 20}
//
// A queue's entry of targets or queues overrides only the fields it names.
func ParseConfig(b []byte) (Config, error) {
	c := DefaultConfig()
	var f fileConfig
	if err := yaml.Unmarshal(b, &f); err != nil {
		return c, fmt.Errorf("cannot parse config: %w", err)
	}
	if f.Timezone != "" {
		z, err := LoadZone(f.Timezone)
		if err != nil {
			return c, fmt.Errorf("timezone: %w", err)
		}
		c.Zone = z
	}
	if f.Currency != "" {
		if !currencyRe.MatchString(f.Currency) {
			return c, fmt.Errorf("currency %q: want an ISO 4217 code such as EUR", f.Currency)
		}
		c.Currency = f.Currency
	}
	if !f.Targets.IsZero() {
		tb, err := yaml.Marshal(&f.Targets)
		if err != nil {
			return c, err
		}
		if c.Targets, err = ParseTargets(tb); err != nil {
			return c, err
		}
	}
	if f.Alerts.MinVolume != nil {
		if *f.Alerts.MinVolume < 0 {
			return c, fmt.Errorf("alerts.min_volume %d: want 0 or more", *f.Alerts.MinVolume)
		}
		c.Default.MinVolume, c.Default.minVolumeSet = *f.Alerts.MinVolume, true
	}
	if n, ok := f.Queues["default"]; ok {
		var err error
		if c.Default, err = parseOperation(n, c.Default, "default"); err != nil {
			return c, err
		}
	}
	names := make([]string, 0, len(f.Queues))
	for q := range f.Queues {
		if q != "default" {
			names = append(names, q)
		}
	}
	sort.Strings(names)
	for _, q := range names {
		op, err := parseOperation(f.Queues[q], c.Default, q)
		if err != nil {
			return c, err
		}
		if c.Queues == nil {
			c.Queues = map[string]Operation{}
		}
		c.Queues[q] = op
	}
	for _, q := range append([]string{""}, c.QueueNames()...) {
		if err := c.Queue(q).check(); err != nil {
			name := q
			if name == "" {
				name = "default"
			}
			return c, fmt.Errorf("queue %s: %w", name, err)
		}
	}
	return c, nil
}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// parseOperation reads one entry of queues: over base (the default entry
// for a queue), strictly: an unknown field is an error.
func parseOperation(n yaml.Node, base Operation, name string) (Operation, error) {
	var f fileOperation
	b, err := yaml.Marshal(&n)
	if err != nil {
		return base, err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(&f); err != nil {
		return base, fmt.Errorf("queues.%s: %w", name, err)
	}
	op := base
	if name != "default" {
		op.Zone = base.Zone
	}
	if f.Timezone != "" {
		if op.Zone, err = LoadZone(f.Timezone); err != nil {
			return base, fmt.Errorf("queues.%s.timezone: %w", name, err)
		}
	}
	if f.Hours != nil || f.Holidays != nil {
		week := f.Hours
		if week == nil && base.Hours.limited {
			week = base.Hours.week()
		}
		holidays := f.Holidays
		if holidays == nil {
			holidays = base.Hours.holidays
		}
		if op.Hours, err = ParseHours(week, holidays); err != nil {
			return base, fmt.Errorf("queues.%s: %w", name, err)
		}
	}
	if f.ShortAbandon != nil {
		op.ShortAbandon = *f.ShortAbandon
	}
	if f.MinVolume != nil {
		if *f.MinVolume < 0 {
			return base, fmt.Errorf("queues.%s.min_volume %d: want 0 or more", name, *f.MinVolume)
		}
		op.MinVolume, op.minVolumeSet = *f.MinVolume, true
	}
	return op, nil
}

// check rejects a queue whose thresholds the rollups cannot measure.
func (q Queue) check() error {
	for _, th := range []struct {
		name string
		d    time.Duration
	}{{"sl_threshold", q.SLThreshold}, {"short_abandon", q.ShortAbandon}} {
		if th.d <= 0 || th.d > MaxThreshold || th.d%time.Second != 0 {
			return fmt.Errorf("%s %s: want whole seconds from 1s to %s (the calls rollup keeps waits per second up to it)", th.name, th.d, MaxThreshold)
		}
	}
	return nil
}

// LoadZone loads an IANA time zone that Frontline can measure in: one
// whose offsets from UTC (1990 to 2060) are whole quarter hours, so that
// the 15-minute rollup buckets in UTC are 15-minute buckets of local time
// and a local day is a union of them. Asia/Kathmandu (+5:45) is one;
// a zone such as Australia/Lord_Howe, whose daylight saving shifts by 30
// minutes, is too; a zone with an offset like +5:40 is not.
func LoadZone(name string) (*time.Location, error) {
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q: not an IANA time zone (such as Europe/Warsaw): %v", name, err)
	}
	if err := checkZone(z); err != nil {
		return nil, err
	}
	return z, nil
}

// checkZone fails unless every offset of z from 1990 to 2060 is a whole
// number of quarter hours.
func checkZone(z *time.Location) error {
	from, to := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)
	if at, off, ok := Aligned(z, from, to, 15*time.Minute); !ok {
		return fmt.Errorf("%q: its offset %s on %s is not a whole number of quarter hours", z, off, at.In(z).Format(time.DateOnly))
	}
	return nil
}

// Aligned reports whether every offset of z from UTC in [from, to) is a
// whole number of steps, so that intervals of step cut in UTC are intervals
// of local time; when not, the first moment and offset that are not.
func Aligned(z *time.Location, from, to time.Time, step time.Duration) (at time.Time, offset time.Duration, ok bool) {
	for t := from.In(z); t.Before(to); {
		_, off := t.Zone()
		if d := time.Duration(off) * time.Second; d%step != 0 {
			return t, d, false
		}
		_, end := t.ZoneBounds()
		if end.IsZero() {
			break
		}
		if !end.After(t) { // beyond its table, Go may give an empty zone period
			end = t.Add(24 * time.Hour)
		}
		t = end
	}
	return time.Time{}, 0, true
}

// YAML returns c in the shape of the config file, for --print-config.
func (c Config) YAML() map[string]any {
	c = c.WithDefaults()
	op := func(o Operation, base *Operation) map[string]any {
		m := map[string]any{}
		if base == nil || o.Zone != base.Zone {
			if o.Zone != nil {
				m["timezone"] = o.Zone.String()
			}
		}
		if w := o.Hours.week(); w != nil {
			m["hours"] = w
		}
		if len(o.Hours.holidays) > 0 {
			m["holidays"] = o.Hours.holidays
		}
		m["short_abandon"] = o.ShortAbandon.String()
		m["min_volume"] = o.MinVolume
		return m
	}
	queues := map[string]any{"default": op(c.Default, nil)}
	for q, o := range c.Queues {
		queues[q] = op(o, &c.Default)
	}
	return map[string]any{
		"timezone": c.Zone.String(),
		"currency": c.Currency,
		"targets":  c.Targets.YAML(),
		"queues":   queues,
	}
}
